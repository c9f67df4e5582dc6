#!/usr/bin/perl
# A stand-in for the Proxmox commands the generated scripts call (qm, pct,
# pveum, pvesh, proxmox-backup-manager, uname), keeping the state of one
# node in $FAKE_PVE/state.json and appending every change to $FAKE_PVE/log.
# It answers in the formats the real commands use (`key: value` config lines
# sorted by key, JSON on one line) and fails the way they fail, so that a
# script's logic (what it changes, what it leaves alone, when it stops) can be
# tested without a Proxmox host. Started through symlinks named after the
# commands, dozens of times per script run: it loads no module but strict and
# warnings (JSON::PP alone took three quarters of each start), and reads and
# writes its JSON with the small codec below, whose output is JSON::PP's
# canonical form byte for byte (test/proxmox/fake-pve.test.ts compares them).
use strict;
use warnings;
no warnings 'experimental::builtin';
use builtin qw(created_as_number is_bool true false);

my $dir = $ENV{FAKE_PVE} // die "FAKE_PVE not set\n";
my $file = "$dir/state.json";

# JSON text (UTF-8 bytes) to Perl data: strings stay UTF-8 bytes, true and
# false become Perl's booleans, numbers numbers.
sub decode {
    my ($text) = @_;
    my $value = value(\$text);
    $text =~ /\G\s*\z/gc or die "$file: not JSON at byte " . (pos($text) // 0) . "\n";
    return $value;
}

my %UNESCAPE = ('"' => '"', '\\' => '\\', '/' => '/', b => "\b", f => "\f", n => "\n", r => "\r", t => "\t");

sub utf8_of { my $c = chr($_[0]); utf8::encode($c); $c }

sub unescape {
    my ($pair, $high, $low, $unit, $char) = @_;
    return utf8_of(0x10000 + ((hex($high) - 0xd800) << 10) + hex($low) - 0xdc00) if $pair;
    return utf8_of(hex $unit) if defined $unit;
    return $UNESCAPE{$char} // die "$file: bad escape \\$char\n";
}

sub value {
    my ($s) = @_;
    $$s =~ /\G\s*/gc;
    if ($$s =~ /\G"([^"\\]*(?:\\.[^"\\]*)*)"/gc) {
        my $raw = $1;
        # Left to right, so that an escaped backslash is never read as the start of another escape.
        $raw =~ s/\\(?:(u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2}))|u([0-9a-fA-F]{4})|(.))/unescape($1, $2, $3, $4, $5)/ges;
        return $raw;
    }
    if ($$s =~ /\G\{/gc) {
        my %object;
        return \%object if $$s =~ /\G\s*\}/gc;
        do {
            my $key = value($s);
            $$s =~ /\G\s*:/gc or die "$file: no ':' at byte " . pos($$s) . "\n";
            $object{$key} = value($s);
        } while ($$s =~ /\G\s*,/gc);
        $$s =~ /\G\s*\}/gc or die "$file: no '}' at byte " . pos($$s) . "\n";
        return \%object;
    }
    if ($$s =~ /\G\[/gc) {
        my @array;
        return \@array if $$s =~ /\G\s*\]/gc;
        do { push @array, value($s) } while ($$s =~ /\G\s*,/gc);
        $$s =~ /\G\s*\]/gc or die "$file: no ']' at byte " . pos($$s) . "\n";
        return \@array;
    }
    return 0 + $1 if $$s =~ /\G(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)/gc;
    return true if $$s =~ /\Gtrue/gc;
    return false if $$s =~ /\Gfalse/gc;
    return undef if $$s =~ /\Gnull/gc;
    die "$file: not JSON at byte " . (pos($$s) // 0) . "\n";
}

my %ESCAPE = ('"' => '\\"', '\\' => '\\\\', "\b" => '\\b', "\f" => '\\f', "\n" => '\\n', "\r" => '\\r', "\t" => '\\t');

# Perl data to JSON as JSON::PP->new->canonical writes it (keys sorted, a
# scalar made as a number is a number); strings are UTF-8 bytes already.
sub encode {
    my ($v) = @_;
    return 'null' if !defined $v;
    return '{' . join(',', map { encode("$_") . ':' . encode($v->{$_}) } sort keys %$v) . '}' if ref $v eq 'HASH';
    return '[' . join(',', map { encode($_) } @$v) . ']' if ref $v eq 'ARRAY';
    return $v ? 'true' : 'false' if is_bool($v);
    return "$v" if created_as_number($v);
    (my $text = $v) =~ s/(["\\\x00-\x1f])/$ESCAPE{$1} \/\/ sprintf('\\u%04x', ord $1)/ge;
    return "\"$text\"";
}

my $state = do { local $/; open(my $fh, '<', $file) or die "$file: $!\n"; decode(scalar <$fh>) };
my ($command) = $0 =~ m{([^/]+)\z};
my @args = @ARGV;

sub save { open(my $fh, '>', $file) or die; print $fh encode($state) }
sub logline { open(my $fh, '>>', "$dir/log") or die; print $fh "$_[0]\n" }
sub fail { my ($msg, $code) = @_; print STDERR "$msg\n"; exit($code // 2) }
sub out_json { print encode($_[0]), "\n" }

# --key value pairs (a --flag without value is ''); the rest is positional
sub options {
    my @list = @_;
    my (@pos, %opts);
    for (my $i = 0; $i < @list; $i++) {
        if ($list[$i] =~ /^--(.+)$/) {
            my $key = $1;
            if ($i + 1 < @list && $list[$i + 1] !~ /^--/) { $opts{$key} = $list[++$i] } else { $opts{$key} = '' }
        } else {
            push @pos, $list[$i];
        }
    }
    return (\@pos, \%opts);
}

# A disk given as STORAGE:SIZE (qemu-server Drive.pm NEW_DISK_RE) is a new volume of SIZE GiB, which the
# node names after the guest and the disks it has (PVE::Storage vdisk_alloc: vm-ID-disk-N).
sub allocate {
    my ($guest, $id, $key) = @_;
    return if $key !~ /^(?:scsi|virtio|sata|ide)\d+$|^rootfs$/ || $guest->{$key} !~ /^([^\/:\s]+):(\d+)$/;
    my ($storage, $size) = ($1, $2);
    my $n = grep { /:vm-\Q$id\E-disk-\d+,/ } values %$guest;
    $guest->{$key} = "$storage:vm-$id-disk-$n,size=${size}G";
}

sub guest {
    my ($kind) = @_;
    my ($sub, $id, @rest) = @args;
    my $name = $kind eq 'qemu' ? 'qm' : 'pct';
    my $guests = $state->{$kind};
    my $path = "/etc/pve/nodes/$state->{node}/" . ($kind eq 'qemu' ? 'qemu-server' : 'lxc') . "/$id.conf";
    my $conf = $guests->{$id};
    my $pending = ($state->{pending} //= {})->{$kind}{$id} // {};
    if ($sub eq 'config') {
        fail("Configuration file '$path' does not exist") if !$conf;
        # As load_current_config (pve-guest-common AbstractConfig.pm): pending changes count as applied, unless --current.
        my (undef, $opts) = options(@rest);
        my %shown = (%$conf, exists $opts->{current} ? () : %$pending);
        print "$_: $shown{$_}\n" for sort keys %shown;
        print "digest: 0123456789abcdef0123456789abcdef01234567\n";
        return;
    }
    if ($sub eq 'pending') {
        fail("Configuration file '$path' does not exist") if !$conf;
        # As format_pending (pve-guest-common GuestHelpers.pm): "cur KEY: VALUE", then "new KEY: VALUE" for a pending one.
        my %keys = map { $_ => 1 } (keys %$conf, keys %$pending);
        for my $k (sort keys %keys) {
            print "cur $k: $conf->{$k}\n" if defined $conf->{$k};
            print "new $k: $pending->{$k}\n" if defined $pending->{$k};
        }
        return;
    }
    if ($sub eq 'status') {
        fail("Configuration file '$path' does not exist") if !$conf;
        # qm status prints QEMU's state: running, paused, suspended, ...
        my $paused = grep { $_ == $id } @{ $state->{paused} // [] };
        print 'status: ', ((grep { $_ == $id } @{ $state->{running} }) ? 'running' : $paused ? 'paused' : 'stopped'), "\n";
        return;
    }
    if ($sub eq 'set') {
        fail("Configuration file '$path' does not exist") if !$conf;
        my (undef, $opts) = options(@rest);
        my $running = grep { $_ == $id } @{ $state->{running} };
        for my $key (keys %$opts) {
            # A running container keeps what pve-container cannot hot-plug (vmconfig_hotplug_pending: "skip
            # non-hotpluggable", e.g. nameserver and searchdomain) pending until it restarts.
            if ($kind eq 'lxc' && $running && $key =~ /^(nameserver|searchdomain)$/) {
                $state->{pending}{$kind}{$id}{$key} = $opts->{$key};
            } else {
                $conf->{$key} = $opts->{$key};
                allocate($conf, $id, $key);
            }
        }
        logline("$name set $id " . join(' ', map { "--$_ $opts->{$_}" } sort keys %$opts));
    } elsif ($sub eq 'create') {
        # create_and_lock_config: ids are cluster-wide (pve-cluster check_vmid_unused's message).
        my ($held) = grep { $_->{vmid} == $id } resources();
        if ($held) {
            my $type = $held->{type} eq 'qemu' ? 'VM' : 'CT';
            fail("unable to create " . ($kind eq 'qemu' ? 'VM' : 'CT') . " $id - $type $id already exists on node '$held->{node}'", 255);
        }
        my ($pos, $opts) = options(@rest);
        # The volume a guest is made from must be there, or create fails (qemu-server API2/Qemu.pm
        # create_disks; pve-container LXC/Create.pm, PVE::Storage abs_filesystem_path).
        my @stored = map { map { @$_ } values %$_ } values %{ $state->{storage} // {} };
        my ($iso) = map { /^([^,=]+:[^,=]+),.*\bmedia=cdrom\b/ ? $1 : () } map { $opts->{$_} } grep { /^ide\d+$/ } keys %$opts;
        fail("volume $iso does not exist", 255) if $kind eq 'qemu' && defined $iso && !grep { $_ eq $iso } @stored;
        fail("can't find file '$pos->[0]'", 255) if $kind eq 'lxc' && !grep { $_ eq $pos->[0] } @stored;
        my %created = %$opts;
        allocate(\%created, $id, $_) for sort keys %created;
        $guests->{$id} = \%created;
        logline("$name create $id " . join(' ', @rest));
    } elsif ($sub eq 'disk' || $sub eq 'resize') {
        # qm disk resize ID DISK SIZE | pct resize ID DISK SIZE
        my ($real, $disk, $size) = $sub eq 'disk' ? @rest : ($id, @rest);
        # qm's command line has no exit status for resize (qm.pm): a failure prints and exits 0.
        if ($state->{resizeFails}) {
            print STDERR "can't lock file '/var/lock/qemu-server/lock-$real.conf' - got timeout\n";
            return;
        }
        $guests->{$real}{$disk} =~ s/size=[^,]+/size=$size/;
        logline("$name " . ($sub eq 'disk' ? 'disk resize' : 'resize') . " $real $disk $size");
    } else {
        fail("fake $name: no sub-command $sub");
    }
    save();
}

# The guests of the cluster as GET /cluster/resources --type vm lists them (pve-manager
# API2Tools extract_vm_stats): this node's, and those $state->{elsewhere} puts on other nodes.
sub resources {
    my @list;
    for my $type (qw(qemu lxc)) {
        push @list, map { { id => "$type/$_", vmid => 0 + $_, node => $state->{node}, type => $type } } keys %{ $state->{$type} };
    }
    my $other = $state->{elsewhere} // {};
    push @list, map { { id => "$other->{$_}{type}/$_", vmid => 0 + $_, node => $other->{$_}{node}, type => $other->{$_}{type} } } keys %$other;
    return sort { $a->{vmid} <=> $b->{vmid} } @list;
}

# A job as GET /cluster/backup[/{id}] returns it: its jobs.cfg section as PVE::Job::Registry parse_config reads
# it (pve-common), a boolean or integer option as a number (SectionConfig.pm check_value: "return $value + 0"),
# enabled 1 when the section has none, with its type and id (pve-manager PVE/API2/Backup.pm read_job).
my %JOB_NUMBERS = map { $_ => 1 } qw(enabled repeat-missed all stdexcludes quiet stop remove protected
    max-workers pbs-entries-max pigz zstd bwlimit ionice lockwait stopwait);
sub job_as_read {
    my ($id, $job) = @_;
    my %out = (%$job, id => $id, type => 'vzdump');
    $out{enabled} //= 1;
    $out{$_} = 0 + $out{$_} for grep { $JOB_NUMBERS{$_} } keys %out;
    # The property strings as objects (pve-guest-common PVE/VZDump/JobBase.pm decode_value, pve-common
    # JSONSchema.pm parse_property_string): a boolean (fleecing's enabled, its default key) as 1 or 0.
    for my $key (grep { defined $out{$_} } qw(fleecing performance prune-backups)) {
        my %object = map { /=/ ? split(/=/, $_, 2) : (enabled => $_) } split(/,/, $out{$key});
        $object{enabled} = $object{enabled} =~ /^(1|on|yes|true)$/i ? 1 : 0 if defined $object{enabled};
        $out{$key} = \%object;
    }
    return \%out;
}

# /cluster/backup (pve-manager PVE/API2/Backup.pm), jobs in $state->{backupJobs} by id: create_job refuses
# an id that exists and sets enabled when not given; update_job deletes the keys of --delete, sets the others,
# and keeps one selection (vmid, all or pool) as it does; verify_vzdump_parameters sets all when exclude comes
# without pool.
sub backup_job {
    my ($verb, $id) = @_;
    my $jobs = $state->{backupJobs} //= {};
    my (undef, $opts) = options(@args[2 .. $#args]);
    if ($verb eq 'get') {
        return out_json([map { job_as_read($_, $jobs->{$_}) } sort keys %$jobs]) if !defined $id;
        return $jobs->{$id} ? out_json(job_as_read($id, $jobs->{$id})) : fail("No such job '$id'", 255);
    }
    if ($verb eq 'create' && !defined $id) {
        $id = delete $opts->{id} // fail('fake pvesh: no --id');
        $opts->{enabled} //= '1';
        fail("Job '$id' already exists", 255) if $jobs->{$id};
        fail("option conflicts with option 'vmid'", 255) if defined $opts->{vmid} && grep { defined $opts->{$_} } qw(all exclude pool);
        $opts->{all} = '1' if defined $opts->{exclude} && !defined $opts->{pool};
        fail('property is missing: vmid', 255) if !$opts->{all} && !defined $opts->{pool} && !defined $opts->{vmid};
        $jobs->{$id} = $opts;
    } elsif ($verb eq 'set' && defined $id) {
        my $job = $jobs->{$id} // fail('no such vzdump job', 255);
        delete $job->{$_} for split(/,/, delete($opts->{delete}) // '');
        $job->{$_} = $opts->{$_} for keys %$opts;
        $job->{all} = '1' if defined $job->{exclude} && !defined $job->{pool};
        if (defined $opts->{vmid}) { delete @$job{qw(all exclude pool)} }
        elsif ($opts->{all}) { delete @$job{qw(vmid pool)} }
        elsif (defined $job->{pool}) { delete @$job{qw(vmid all exclude)} }
    } else {
        fail("fake pvesh: $verb /cluster/backup");
    }
    logline("pvesh @args");
    save();
}

sub pvesh {
    my ($verb, $path) = @args;
    return backup_job($verb, $1) if $path =~ m!^/cluster/backup(?:/([^/]+))?$!;
    fail("fake pvesh: $verb") if $verb ne 'get';
    return out_json([resources()]) if $path eq '/cluster/resources' && "@args[2..3]" eq '--type vm';
    if ($path =~ m!^/access/roles/(.+)$!) {
        return defined($state->{roles}{$1}) ? out_json({}) : fail("role '$1' does not exist");
    }
    if ($path =~ m!^/access/users/([^/]+)/token/(.+)$!) {
        my $token = $state->{users}{$1} && $state->{users}{$1}{tokens}{$2};
        return $token ? out_json({ privsep => $token->{privsep} }) : fail("no such token '$2' for user '$1'");
    }
    if ($path =~ m!^/access/users/(.+)$!) {
        return $state->{users}{$1} ? out_json({}) : fail("no such user ('$1')");
    }
    # GET /nodes/{node}/storage/{storage}/content (pve-storage API2/Storage/Content.pm index, PVE::Storage
    # volume_list): a storage's volumes of the content types it has enabled, --content narrowing them;
    # $state->{storage}{ID}{CONTENT} lists the volids. A storage that is not there fails as storage_config does.
    if ($path =~ m!^/nodes/([^/]+)/storage/([^/]+)/content$!) {
        my ($on, $sid) = ($1, $2);
        my (undef, $opts) = options(@args[2 .. $#args]);
        fail("fake pvesh: storage content of node $on") if $on ne $state->{node};
        my $storage = ($state->{storage} // {})->{$sid} // fail("storage '$sid' does not exist");
        my @types = defined $opts->{content} ? ($opts->{content}) : sort keys %$storage;
        return out_json([map { my $type = $_; map { { volid => $_, content => $type } } @{ $storage->{$type} // [] } } @types]);
    }
    # GET /pools/{poolid} is deprecated in PVE 9 (PVE/API2/Pool.pm): only the form with --poolid is answered,
    # its members this node's VMs that $state->{poolVms}{POOL} lists, as extract_vm_stats gives them (--type qemu
    # keeps the VMs; this stand-in has no other members).
    if ($path eq '/pools' && ($args[2] // '') eq '--poolid' && defined $args[3]) {
        my $pool = $args[3];
        fail("pool '$pool' does not exist") if !grep { $_ eq $pool } @{ $state->{pools} };
        my @members = map { { id => "qemu/$_", vmid => 0 + $_, node => $state->{node}, type => 'qemu', status => 'stopped' } } @{ ($state->{poolVms} // {})->{$pool} // [] };
        return out_json([{ poolid => $pool, members => \@members }]);
    }
    # GET /nodes/{node}/qemu/{vmid}/config (qemu-server API2/Qemu.pm vm_config): the VM's options, pending applied.
    if ($path =~ m!^/nodes/([^/]+)/qemu/(\d+)/config$!) {
        fail("fake pvesh: VM config of node $1") if $1 ne $state->{node};
        my $conf = $state->{qemu}{$2} // fail("Configuration file 'nodes/$1/qemu-server/$2.conf' does not exist");
        return out_json({ %$conf, digest => '0123456789abcdef0123456789abcdef01234567' });
    }
    fail("fake pvesh: $path");
}

sub pveum {
    my ($area, $sub, @rest) = @args;
    my ($pos, $opts) = options(@rest);
    my $key = "$area $sub";
    if ($key eq 'role list') {
        return out_json([map { { roleid => $_, privs => $state->{roles}{$_}, special => 0 } } sort keys %{ $state->{roles} }]);
    }
    return out_json($state->{acls}) if $key eq 'acl list';
    my $sorted = sub { join(',', sort split(/,/, $_[0])) };
    if ($key eq 'role add') {
        fail("role '$pos->[0]' already exists", 255) if defined($state->{roles}{ $pos->[0] });
        $state->{roles}{ $pos->[0] } = $sorted->($opts->{privs});
    } elsif ($key eq 'role modify') {
        $state->{roles}{ $pos->[0] } = $sorted->($opts->{privs});
    } elsif ($key eq 'pool add') {
        push @{ $state->{pools} }, $pos->[0];
    } elsif ($key eq 'user add') {
        fail("create user failed: user '$pos->[0]' already exists", 255) if $state->{users}{ $pos->[0] };
        $state->{users}{ $pos->[0] } = { comment => $opts->{comment}, tokens => {} };
    } elsif ($key eq 'user token') {
        my ($what, $userid, $tokenid) = @$pos;
        my $user = $state->{users}{$userid} // fail("no such user ('$userid')");
        if ($what eq 'add') {
            fail('Token already exists.', 255) if $user->{tokens}{$tokenid};
            $user->{tokens}{$tokenid} = { privsep => 0 + ($opts->{privsep} // 1) };
            print "full-tokenid: $userid!$tokenid\nvalue: SECRET-$tokenid-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n";
        } elsif ($what eq 'modify') {
            $user->{tokens}{$tokenid}{privsep} = 0 + $opts->{privsep};
        } else {
            fail("fake pveum: user token $what");
        }
    } elsif ($key eq 'acl modify') {
        for my $type (qw(user token)) {
            my $list = $opts->{"${type}s"} // next;
            for my $ugid (split(/,/, $list)) {
                next if grep { $_->{path} eq $pos->[0] && $_->{type} eq $type && $_->{ugid} eq $ugid && $_->{roleid} eq $opts->{roles} } @{ $state->{acls} };
                push @{ $state->{acls} }, { path => $pos->[0], type => $type, ugid => $ugid, roleid => $opts->{roles}, propagate => 1 };
            }
        }
    } else {
        fail("fake pveum: $key");
    }
    logline("pveum @args");
    save();
}

sub pbs_manager {
    my ($area, $sub, @rest) = @args;
    my ($pos, $opts) = options(@rest);
    my $key = "$area $sub";
    my $pbs = $state->{pbs};
    return out_json([map { { enable => true, expire => 0, userid => $_ } } @{ $pbs->{users} }]) if $key eq 'user list';
    # The fields of PBS's AclListItem; the one-line JSON of --output-format json. ugid_type is "user" for a user
    # and for a token alike (proxmox-backup v4.2.0 src/api2/access/acl.rs, extract_acl_node_data).
    if ($key eq 'acl list') {
        return out_json([map { { path => $_->{path}, ugid => $_->{ugid}, ugid_type => 'user', propagate => true, roleid => $_->{roleid} } } @{ $pbs->{acls} }]);
    }
    if ($key eq 'user list-tokens') {
        return out_json([map { { enable => true, expire => 0, tokenid => $_ } } grep { index($_, "$pos->[0]!") == 0 } @{ $pbs->{tokens} }]);
    }
    if ($key eq 'user create') {
        fail("user '$pos->[0]' already exists.", 255) if grep { $_ eq $pos->[0] } @{ $pbs->{users} };
        push @{ $pbs->{users} }, $pos->[0];
    } elsif ($key eq 'user generate-token') {
        my $id = "$pos->[0]!$pos->[1]";
        fail("token '$pos->[1]' for user '$pos->[0]' already exists.", 255) if grep { $_ eq $id } @{ $pbs->{tokens} };
        push @{ $pbs->{tokens} }, $id;
        out_json({ tokenid => $id, value => "PBS-SECRET-$pos->[1]-9c8b7a69-5847-3625-1403-f2e1d0c9b8a7" });
    } elsif ($key eq 'acl update') {
        # As pbs-config's acl.rs: a role is added beside the others of the path and id; --delete removes that one.
        my %entry = (path => $pos->[0], roleid => $pos->[1], ugid => $opts->{'auth-id'});
        my $same = sub { $_[0]->{path} eq $entry{path} && $_[0]->{roleid} eq $entry{roleid} && $_[0]->{ugid} eq $entry{ugid} };
        if (exists $opts->{delete}) {
            $pbs->{acls} = [grep { !$same->($_) } @{ $pbs->{acls} }];
        } else {
            push @{ $pbs->{acls} }, \%entry if !grep { $same->($_) } @{ $pbs->{acls} };
        }
    } else {
        fail("fake proxmox-backup-manager: $key");
    }
    logline("proxmox-backup-manager @args");
    save();
}

if ($command eq 'qm') { guest('qemu') }
elsif ($command eq 'pct') { guest('lxc') }
elsif ($command eq 'pvesh') { pvesh() }
elsif ($command eq 'pveum') { pveum() }
elsif ($command eq 'proxmox-backup-manager') { pbs_manager() }
elsif ($command eq 'uname') { print "$state->{node}.example.com\n" }
else { fail("fake-pve: unknown command $command") }
