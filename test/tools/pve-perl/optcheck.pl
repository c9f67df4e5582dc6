#!/usr/bin/perl
# Validate Proxmox guest/user option strings with Proxmox VE's OWN schema code (loaded from the
# upstream trees that setup.sh extracted; optcheck.sh puts them on @INC). Input lines:
#   qm   <vmid> <option> <value>      e.g. qm 102 net0 virtio=BC:24:11:00:00:01,bridge=vmbr1,tag=10
#   pct  <vmid> <option> <value>      e.g. pct 200 net0 name=eth0,bridge=vmbr2,ip=10.1.0.100/24
#   pveum-priv  <Priv[,Priv...]>      pveum-user <user@realm>   pveum-token <user@realm!name>
#   pveum-role  <roleid>              pveum-group <groupid>     pveum-acl-path </vms/102>
#   pveum-privileges, pveum-builtin-roles (list them)            pveum-builtin-role <role> (its privileges)
#   pct-conf <dir>/lxc/<vmid>.conf    a whole container config file, read as /etc/pve reads it
#   qm-conf <dir>/qemu-server/<vmid>.conf   a whole VM config file, read as /etc/pve reads it
#   storage-cfg <file>                a storage.cfg, read as /etc/pve/storage.cfg is read
# Blank lines and '#' comments are skipped. One OK/ERROR line per input; exit 1 on any ERROR.
# A valid netN line is printed with the form Proxmox writes it in: `OK <line>  (prints as: <value>)`;
# a listing line as `OK <line>  (list: <a,b,...>)`; a config file as `OK <line>  (parsed: key=value | ...)`,
# each key with the value Proxmox's parser gives it (pct-conf, qm-conf). A valid drive line (qm ideN, scsiN, ...) shows what
# parse_drive made of it and the volume's type: `OK <line>  (drive: file=... media=cdrom vtype=iso)`.
# `--stubs` prints which modules were replaced (see README.md).
use strict;
use warnings;

our %STUBBED; # package => why
my $fh_of = sub { my $s = shift; open(my $fh, '<', \$s) or die; $fh };

# (1) Host bindings, stubbed even though their source is in the extracted trees:
#     PVE::IPCC is the XS client of pmxcfs (/etc/pve); ipcc_send_rec returns undef with $! = 0,
#     which upstream PVE::Cluster treats as "file does not exist" (so cfs_read_file('datacenter.cfg')
#     runs the real DataCenterConfig parser on no data = defaults). PVE::Cluster::IPCConst is
#     generated at package build time from a C header; the stub exports the CFS_IPC_* names that
#     PVE/Cluster.pm uses, with dummy values (never reach a daemon).
unshift @INC, sub {
    my (undef, $file) = @_;
    if ($file eq 'PVE/IPCC.pm') {
        $STUBBED{'PVE::IPCC'} = 'host: pmxcfs IPC (XS); ipcc_send_rec -> undef ("no such file")';
        return $fh_of->("package PVE::IPCC; sub ipcc_send_rec { \$! = 0; return undef } 1;\n");
    }
    if ($file eq 'PVE/Cluster/IPCConst.pm') {
        $STUBBED{'PVE::Cluster::IPCConst'} = 'build-generated constants for pmxcfs IPC';
        my ($dir) = grep { !ref($_) && -f "$_/PVE/Cluster.pm" } @INC;
        my %n;
        if ($dir && open(my $c, '<', "$dir/PVE/Cluster.pm")) {
            while (<$c>) { $n{$1} = 1 while /\b(CFS_IPC_\w+)/g }
        }
        my @n = sort keys %n;
        my $i = 0;
        my $s = "package PVE::Cluster::IPCConst; use base 'Exporter'; our \@EXPORT = qw(@n);\n";
        $s .= "use constant $_ => " . ++$i . ";\n" for @n;
        return $fh_of->("$s 1;\n");
    }
    return;
};
# (2) Modules that are in no extracted tree (pve-firewall, pve-network/SDN, pve-ha-manager,
#     librados2-perl, pve-apiclient, Rust bindings PVE::RS::* / Proxmox::RS::*): an empty package
#     whose import() installs subs that die "stub: X::f called" if ever called. Appended to @INC,
#     so it only triggers when no real file exists.
push @INC, sub {
    my (undef, $file) = @_;
    return if $file !~ m{^(?:PVE|Proxmox)/.*\.pm$};
    (my $pkg = $file) =~ s{/}{::}g;
    $pkg =~ s/\.pm$//;
    $STUBBED{$pkg} = 'absent from the extracted repos: empty package';
    return $fh_of->(
        "package $pkg; sub import { my \$c = caller; no strict 'refs';"
            . " for my \$n (grep { !/^[:\$\@%&-]/ } \@_[1 .. \$#_]) {"
            . " *{\"\${c}::\$n\"} = sub { die \"stub: ${pkg}::\$n called\\n\" } } } 1;\n");
};

my %loaded;
sub load { # lazy: only what the input needs
    my ($mod) = @_;
    return if $loaded{$mod}++;
    # upstream targets Perl 5.40; silence 5.36's "for my (...) is experimental" compile warnings
    local $SIG{__WARN__} = sub { warn @_ if $_[0] !~ /is experimental/ };
    eval "require $mod; 1" or die "optcheck: cannot load $mod: $@";
}

my $show_stubs = @ARGV && $ARGV[0] eq '--stubs' ? shift @ARGV : 0;

sub errtext { # flatten a PVE::Exception (param errors) the way the CLI prints it, on one line
    my ($err) = @_;
    my $msg;
    if (ref($err) && $err->isa('PVE::Exception')) {
        $msg = $err->{msg} // '';
        chomp $msg;
        my $e = $err->{errors} // {};
        $msg .= join('', map { " | $_: $e->{$_}" } sort keys %$e);
        $msg = ($err->{code} ? "$err->{code} " : '') . $msg;
    } else {
        $msg = "$err";
    }
    $msg =~ s/\s*\n\s*/ | /g;
    $msg =~ s/[ |]+$//;
    return $msg;
}

my ($qm_props, $ct_props);
sub guest_props {
    my ($kind, $opt) = @_;
    if ($kind eq 'qm') {
        # the whole property list, also for netN: it has net0..net31 only ($MAX_NETS), so net32 is refused
        load('PVE::QemuServer');
        load('PVE::DataCenterConfig'); # registers datacenter.cfg (parse_net reads mac_prefix)
        $qm_props //= PVE::QemuServer::json_config_properties({}); # what API2::Qemu update_vm uses
        return $qm_props;
    }
    load('PVE::LXC::Config');
    $ct_props //= PVE::LXC::Config->json_config_properties({}); # what API2::LXC::Config uses
    return $ct_props;
}

sub check_guest {
    my ($kind, $vmid, $opt, $value) = @_;
    die "usage: $kind <vmid> <option> <value>\n" if !defined($value);
    my $props = guest_props($kind, $opt);
    my $schema = {
        type => 'object',
        additionalProperties => 0,
        properties => { vmid => PVE::JSONSchema::get_standard_option('pve-vmid'), %$props },
    };
    # the API's parameter verification (400 Parameter verification failed. ...)
    PVE::JSONSchema::validate({ vmid => $vmid, $opt => $value }, $schema);
    if ($opt =~ /^net\d+$/) { # then the config-level parser the API/config code calls
        if ($kind eq 'qm') {
            my @w;
            local $SIG{__WARN__} = sub { push @w, @_ };
            my $net = PVE::QemuServer::Network::parse_net($value);
            die(join('', @w) || "unable to parse network options\n") if !$net || @w;
            return "prints as: " . PVE::QemuServer::Network::print_net($net);
        } else {
            my $net = PVE::LXC::Config->parse_lxc_network($value);
            my $printed = "prints as: " . PVE::LXC::Config->print_lxc_network($net);
            # not an error for Proxmox: PVE::LXC::Setup adds an on-link route for such a gw
            if ($net->{gw} && ($net->{ip} // '') =~ m!/!
                && !PVE::Network::is_ip_in_cidr($net->{gw}, $net->{ip}, 4)) {
                return "note: gw $net->{gw} is outside $net->{ip}; Proxmox accepts this"
                    . " (PVE::LXC::Setup adds an on-link route to it); $printed";
            }
            return $printed;
        }
    }
    if ($kind eq 'qm' && $opt =~ /^(?:ide|sata|scsi|virtio)\d+$/) {
        # the drive parser qm create and the config reader use (QemuServer/Drive.pm parse_drive, with the
        # allocation forms STORAGE:SIZE), then the volume's type as a directory storage reads its name
        # (Storage/Plugin.pm parse_volname): create_vm wants media=cdrom for an iso (API2/Qemu.pm)
        load('PVE::QemuServer::Drive');
        load('PVE::Storage');
        my @w;
        local $SIG{__WARN__} = sub { push @w, @_ };
        my $drive = PVE::QemuServer::Drive::parse_drive($opt, $value, 1);
        die(join('', @w) || "unable to parse drive options\n") if !$drive || @w;
        my ($storeid, $volname) = PVE::Storage::parse_volume_id($drive->{file}, 1);
        no warnings 'once';
        my $vtype = $storeid && $drive->{file} !~ $PVE::QemuServer::Drive::NEW_DISK_RE
            ? (PVE::Storage::Plugin->parse_volname($volname))[0] : 'new';
        return 'drive: ' . join(' ', map { "$_=$drive->{$_}" } grep { !/^(?:interface|index)$/ } sort keys %$drive)
            . " vtype=$vtype";
    }
    return;
}

sub check_access {
    my ($kind, $value) = @_;
    die "usage: $kind <value>\n" if !defined($value) || $value eq '';
    load('PVE::AccessControl');
    if ($kind eq 'pveum-builtin-role') { # the roles userconfig_force_defaults puts into every user.cfg
        my $cfg = {};
        PVE::AccessControl::userconfig_force_defaults($cfg);
        die "no built-in role '$value'\n" if !$cfg->{roles}->{$value};
        return 'list: ' . join(',', sort keys $cfg->{roles}->{$value}->%*);
    }
    if ($kind eq 'pveum-acl-path') { # API2::ACL update_acl's check, same message
        PVE::Exception::raise_param_exc({ path => "invalid ACL path '$value'" })
            if !PVE::AccessControl::check_path(PVE::AccessControl::normalize_path($value));
        return;
    }
    my %fmt = (
        'pveum-priv' => [privs => 'pve-priv-list'], # API2::Role 'privs' (role-privs option)
        'pveum-user' => [userid => 'pve-userid'],
        'pveum-token' => [tokenid => 'pve-tokenid'],
        'pveum-role' => [roleid => 'pve-roleid'],
        'pveum-group' => [groupid => 'pve-groupid'],
    );
    my ($key, $format) = $fmt{$kind}->@*;
    PVE::JSONSchema::validate(
        { $key => $value },
        { type => 'object', properties => { $key => { type => 'string', format => $format } } },
    );
    # API2/Role.pm create_role refuses the PVE namespace after the format check
    PVE::Exception::raise_param_exc({
        roleid => "cannot use role ID starting with the (case-insensitive) 'PVE' namespace",
    }) if $kind eq 'pveum-role' && $value =~ /^PVE/i;
    return;
}

# A whole guest config file through Proxmox's reader, strict (a bad line dies), then back through its writer,
# which every later change (the GUI, qm/pct set) goes through: a file that Proxmox writes otherwise (another
# order, a value in another form) is an ERROR, as the file would not be the lines Proxmox keeps.
sub read_guest_config {
    my ($file, $parse, $write) = @_;
    open(my $fh, '<', $file) or die "cannot read $file: $!\n";
    my $raw = do { local $/; <$fh> };
    my $conf = $parse->($file, $raw, 1);
    my $rewritten = $write->($file, {%$conf});
    die 'Proxmox writes it back as: ' . ($rewritten =~ s/\n/\\n/gr) . "\n" if $rewritten ne $raw;
    delete $conf->@{qw(digest snapshots pending special-sections)};
    return 'parsed: ' . join(' | ', map { "$_=$conf->{$_}" } sort keys %$conf);
}

sub check_pct_conf { # the parser and writer PVE::Cluster reads and writes /etc/pve/lxc/<vmid>.conf with (LXC/Config.pm cfs_register_file)
    my ($file) = @_;
    die "usage: pct-conf <dir>/lxc/<vmid>.conf\n" if !defined($file) || $file !~ m|/lxc/\d+\.conf$|;
    load('PVE::LXC::Config');
    return read_guest_config($file, \&PVE::LXC::Config::parse_pct_config, \&PVE::LXC::Config::write_pct_config);
}

sub check_qm_conf { # the parser and writer of /etc/pve/qemu-server/<vmid>.conf (QemuServer.pm cfs_register_file)
    my ($file) = @_;
    die "usage: qm-conf <dir>/qemu-server/<vmid>.conf\n" if !defined($file) || $file !~ m|/qemu-server/\d+\.conf$|;
    load('PVE::QemuServer');
    load('PVE::DataCenterConfig'); # registers datacenter.cfg (parse_net reads mac_prefix)
    return read_guest_config($file, \&PVE::QemuServer::parse_vm_config, \&PVE::QemuServer::write_vm_config);
}

sub check_storage_cfg { # the parser PVE::Cluster reads /etc/pve/storage.cfg with (Storage/Plugin.pm cfs_register_file)
    my ($file) = @_;
    die "usage: storage-cfg <file>\n" if !defined($file) || $file eq '';
    load('PVE::Storage'); # registers every storage plugin, then PVE::Storage::Plugin->init()
    open(my $fh, '<', $file) or die "cannot read $file: $!\n";
    my $raw = do { local $/; <$fh> };
    # SectionConfig::parse_config does not die on a bad line: it warns and drops the value (or the section).
    my @warnings;
    my $cfg = do {
        local $SIG{__WARN__} = sub { push @warnings, $_[0] };
        PVE::Storage::Plugin->parse_config($file, $raw);
    };
    die join('', @warnings) if @warnings;
    my $ids = $cfg->{ids};
    my $show = sub {
        my ($v) = @_;
        return ref($v) eq 'HASH' ? join(',', sort keys %$v) : $v;
    };
    # 'local' is added by parse_config when the file has none: only the file's own sections are shown.
    return 'parsed: ' . join(' | ', map {
        my $id = $_;
        "$ids->{$id}->{type}: $id " . join(' ', map { "$_=" . $show->($ids->{$id}->{$_}) } sort grep { $_ ne 'type' } keys $ids->{$id}->%*)
    } grep { $raw =~ /^\S+:\s*\Q$_\E\s*$/m } sort keys %$ids);
}

sub list_privileges { # the keys of $valid_privs, through the function that exposes them
    load('PVE::AccessControl');
    return 'list: ' . join(',', sort keys PVE::AccessControl::create_priv_properties()->%*);
}

sub list_builtin_roles {
    load('PVE::AccessControl');
    my $cfg = {};
    PVE::AccessControl::userconfig_force_defaults($cfg);
    return 'list: ' . join(',', sort keys $cfg->{roles}->%*);
}

# Answers go out line by line: a test keeps one optcheck running and writes its checks to it.
$| = 1;
my $bad = 0;
while (my $line = <>) {
    chomp $line;
    next if $line =~ /^\s*(?:#|$)/;
    $line =~ s/^\s+|\s+$//g;
    my ($kind, $rest) = split(/\s+/, $line, 2);
    my $note;
    eval {
        if ($kind eq 'qm' || $kind eq 'pct') {
            my ($vmid, $opt, $value) = split(/\s+/, $rest // '', 3);
            $note = check_guest($kind, $vmid, $opt // '', $value);
        } elsif ($kind eq 'pct-conf') {
            $note = check_pct_conf($rest);
        } elsif ($kind eq 'qm-conf') {
            $note = check_qm_conf($rest);
        } elsif ($kind eq 'storage-cfg') {
            $note = check_storage_cfg($rest);
        } elsif ($kind eq 'pveum-privileges') {
            $note = list_privileges();
        } elsif ($kind eq 'pveum-builtin-roles') {
            $note = list_builtin_roles();
        } elsif ($kind =~ /^pveum-(?:priv|user|token|role|group|acl-path|builtin-role)$/) {
            $note = check_access($kind, $rest);
        } else {
            die "unknown line type '$kind' (qm, pct, pct-conf, qm-conf, storage-cfg, pveum-priv, pveum-user, pveum-token,"
                . " pveum-role, pveum-group, pveum-acl-path, pveum-privileges, pveum-builtin-roles,"
                . " pveum-builtin-role)\n";
        }
    };
    if (my $err = $@) {
        die $err if !ref($err) && $err =~ /^optcheck: cannot load/;
        $bad = 1;
        print "ERROR $line => ", errtext($err), "\n";
    } else {
        print "OK    $line", ($note ? "  ($note)" : ''), "\n";
    }
}
if ($show_stubs) {
    print "# stub $_: $STUBBED{$_}\n" for sort keys %STUBBED;
}
exit $bad;
