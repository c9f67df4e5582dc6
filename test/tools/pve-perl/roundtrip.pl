#!/usr/bin/perl
# Load FILE through Proxmox VE's own code path (PVE::INotify::read_file -> read_etc_network_interfaces),
# write it back the way the GUI/API does on any network edit (PVE::INotify::write_file ->
# write_etc_network_interfaces into the shadow file "<file>.new"), then compare the two semantically.
# usage: roundtrip.pl [--nics eno1,eno2] WORKDIR FILE      (upstream code on @INC via -I)
# Writes WORKDIR/interfaces (copy of FILE) and WORKDIR/interfaces.new (PVE's rewrite).
# Also checks each bridge's bridge-vids and mtu the way the API does when the bridge is edited.
# Exit: 0 = every configuration line survives; 1 = lost/changed/added lines, warnings, or PVE refused.
use strict;
use warnings;
use Encode qw(encode);
use File::Copy qw(copy);

my @pve_warnings;
$SIG{__WARN__} = sub { push @pve_warnings, $_[0] };

use PVE::INotify;
use PVE::Network::Interfaces;
use PVE::Tools;
use PVE::JSONSchema;

my $nics;
if (@ARGV && $ARGV[0] eq '--nics') { shift; $nics = [grep { length } split /,/, shift]; }
my ($work, $file) = @ARGV;
die "usage: $0 [--nics a,b] WORKDIR FILE\n" if !$file;
my $cfgfile = "$work/interfaces";
copy($file, $cfgfile) or die "copy: $!\n";
unlink "$cfgfile.new";

my $src = do { local (@ARGV, $/) = ($file); <> };

# --- the only stubs: host facts the reader normally asks the kernel for -------------------
# Physical NICs: the ones named in the file (or --nics), reported like `ip -details -json link`.
if (!$nics) {
    my %n;
    my $re = $PVE::Network::Interfaces::PHYSICAL_NIC_RE;
    for my $l (grep { !/^\s*#/ } split /\n/, $src) { $n{$_} = 1 for grep { /^$re$/ } split /\s+/, $l }
    $nics = [sort keys %n];
}
{
    no warnings 'redefine';
    my %links = (lo => { ifname => 'lo', link_type => 'loopback' });
    $links{$_} = { ifname => $_, link_type => 'ether' } for @$nics;
    *PVE::IPRoute2::ip_link_details = sub { return {%links} };
    *PVE::ProcFSTools::get_active_network_interfaces = sub { return [] };
}
# PVE 9 hosts run ifupdown2; the upstream writer decides that by this file's existence.
my $writer = \&PVE::INotify::write_etc_network_interfaces;
if (!-e '/usr/share/ifupdown2/ifupdown2') {
    # same three lines as upstream write_etc_network_interfaces, with the ifupdown2 flag forced on
    $writer = sub {
        my ($fn, $fh, $config) = @_;
        PVE::Tools::safe_print($fn, $fh,
            encode('UTF-8', PVE::INotify::__write_etc_network_interfaces($config, 1)));
    };
}
PVE::INotify::register_file('gen-interfaces', $cfgfile,
    \&PVE::INotify::read_etc_network_interfaces, $writer, undef, shadow => "$cfgfile.new");

my $config = eval { PVE::INotify::read_file('gen-interfaces') };
if (my $err = $@) { print "PVE REFUSED (read): $err"; exit 1; }

# What the GUI sends back when a bridge is edited goes through the API's
# parameter check: the bridge properties gen writes, as pve-manager's
# PVE/API2/Network.pm declares them, checked by pve-common's own validator
# (the format pve-vlan-id-or-range-list is pve_verify_vlan_id_or_range).
my $api_bridge = {
    type => 'object', additionalProperties => 1,
    properties => {
        bridge_vids => { type => 'string', optional => 1, format => 'pve-vlan-id-or-range-list' },
        mtu => { type => 'integer', optional => 1, minimum => 1280, maximum => 65520 },
    },
};
my @api_refused;
for my $name (sort keys %{ $config->{ifaces} }) {
    my $d = $config->{ifaces}{$name};
    next if ($d->{type} // '') ne 'bridge';
    my $param = { map { defined $d->{$_} ? ($_ => $d->{$_}) : () } qw(bridge_vids mtu) };
    eval { PVE::JSONSchema::validate($param, $api_bridge) };
    if (my $err = $@) {
        my $errors = ref($err) && $err->{errors} ? $err->{errors} : { '' => "$err" };
        push @api_refused, map { "$name: $_: " . ($errors->{$_} =~ s/\n$//r) } sort keys %$errors;
    }
}
# How the reader took each VLAN device (from a name like vmbr2.10): its raw device and id.
for my $name (sort keys %{ $config->{ifaces} }) {
    my $d = $config->{ifaces}{$name};
    next if ($d->{type} // '') ne 'vlan';
    printf "PVE VLAN: %s raw-device %s id %s method %s\n", $name, $d->{'vlan-raw-device'} // '-', $d->{'vlan-id'} // '-', $d->{method} // '-';
}
# How the reader took each bridge: its ports ("bridge-ports none" reads as an empty bridge: no bridge_ports),
# address and gateway.
for my $name (sort keys %{ $config->{ifaces} }) {
    my $d = $config->{ifaces}{$name};
    next if ($d->{type} // '') ne 'bridge';
    printf "PVE BRIDGE: %s ports %s address %s gateway %s\n", $name, ($d->{bridge_ports} // '') eq '' ? '-' : $d->{bridge_ports},
        $d->{cidr} // '-', $d->{gateway} // '-';
}
my $parse_warnings = [@pve_warnings]; @pve_warnings = ();
eval { PVE::INotify::write_file('gen-interfaces', $config) };
if (my $err = $@) {
    print "PVE REFUSED (write) -- the GUI could not save ANY network change on this host:\n  $err";
    print "PVE WARNING (parse): $_" for @$parse_warnings;
    exit 1;
}
my $write_warnings = [@pve_warnings];
my $out = do { local (@ARGV, $/) = ("$cfgfile.new"); <> };

# --- semantic comparison ------------------------------------------------------------------
my %alias = (
    slaves => 'bond-slaves', 'bond_slaves' => 'bond-slaves', 'ovs_mtu' => 'mtu',
);
my %sorted_list = map { $_ => 1 } qw(bridge-ports bond-slaves bridge-vids ovs_ports ovs_bonds);
my %ordered_cmd = map { $_ => 1 } qw(pre-up up post-up pre-down down post-down);
my $bond_modes = $PVE::Network::Interfaces::bond_modes;

sub mask_bits {
    my ($m) = @_;
    return $m if $m =~ /^\d+$/;
    return PVE::JSONSchema::get_netmask_bits($m) // $m;
}

# -> { lines => [ "scope: key value" ...], comments => [...], order => [stanza keys], cmds => {scope => [..]} }
sub canon {
    my ($text) = @_;
    my (@lines, @comments, @order, %cmds);
    my ($scope, $stz);
    my $flush = sub {
        return if !$stz;
        my $o = $stz->{opts};
        if (my $nm = delete $o->{netmask}) {
            $_ = (m{/} ? $_ : "$_/" . mask_bits($nm->[0])) for @{ $o->{address} || [] };
        }
        for my $k (sort keys %$o) {
            push @lines, "$stz->{scope}: $k $_" for @{ $o->{$k} };
        }
        $stz = undef;
    };
    for my $raw (split /\n/, $text) {
        (my $l = $raw) =~ s/\s+$//;
        next if $l eq '';
        if ($l =~ /^\s*#\s*(.*)$/) { push @comments, $1; next; }
        if ($l =~ /^\s*iface\s+(\S+)(?:\s+(\S+)\s+(\S+))?/) {
            $flush->();
            my $sc = "iface $1" . (defined $2 ? " $2" : '');
            push @order, $sc;
            $stz = { scope => $sc, opts => {} };
            push @lines, "$sc: method " . ($3 // '(typeless)');
            next;
        }
        if ($l =~ /^\s*(auto|allow-auto|allow-hotplug|allow-\S+)\s+(.+)$/) {
            $flush->();
            my $kw = $1 eq 'allow-auto' ? 'auto' : $1;
            push @lines, "top: $kw $_" for split /\s+/, $2;
            next;
        }
        if ($l =~ /^\s*(source|source-directory|mapping)\s/) {
            $flush->();
            (my $v = $l) =~ s/^\s+//; $v =~ s/\s+/ /g;
            push @lines, "top: $v"; push @order, "top: $v";
            next;
        }
        if ($stz && $l =~ /^\s+(\S+)\s+(.*)$/) {
            my ($k, $v) = ($1, $2);
            $v =~ s/\s+/ /g;
            $k = $alias{$k} // $k;
            $k =~ s/_/-/g if $k =~ /^(bridge|bond)_/;
            $v = join(' ', sort split / /, $v) if $sorted_list{$k};
            $v = $v =~ /^(on|yes)$/i ? 'on' : 'off' if $k eq 'bridge-stp';
            $v = 'yes' if $k eq 'bridge-vlan-aware' && $v =~ /^(on|yes|1|true)$/i;
            if ($k eq 'bond-mode') { for my $n (keys %$bond_modes) { $v = $n if $bond_modes->{$n} eq $v } }
            push @{ $stz->{opts}{$k} }, $v;
            push @{ $cmds{ $stz->{scope} } }, "$k $v" if $ordered_cmd{$k};
            next;
        }
        $flush->();
        (my $v = $l) =~ s/^\s+//;
        push @lines, "top: $v";    # unknown top-level line, kept verbatim
    }
    $flush->();
    return { lines => \@lines, comments => \@comments, order => \@order, cmds => \%cmds };
}

my ($a, $b) = (canon($src), canon($out));
my %cnt;
$cnt{$_}++ for @{ $a->{lines} };
$cnt{$_}-- for @{ $b->{lines} };
my @lost  = grep { $cnt{$_} > 0 } sort keys %cnt;
my @added = grep { $cnt{$_} < 0 } sort keys %cnt;

# lost + added with the same "scope: key" = changed
my (%lk, %ak, @changed);
for (@lost)  { my ($k) = /^(.*?: \S+)/; push @{ $lk{$k} }, $_ }
for (@added) { my ($k) = /^(.*?: \S+)/; push @{ $ak{$k} }, $_ }
for my $k (sort keys %lk) {
    next if !$ak{$k} || $k =~ /^top: /;
    push @changed, map({ "- $_" } @{ delete $lk{$k} }), map({ "+ $_" } @{ delete $ak{$k} });
}
@lost  = map { @$_ } @lk{ sort keys %lk };
@added = map { @$_ } @ak{ sort keys %ak };

# additions that do not change behaviour: ifupdown2 treats them as the defaults they are
my @neutral = (qr/^iface \S+ inet6?: bridge-stp off$/, qr/^iface \S+ inet6?: bridge-fd 0$/,
    qr/^top: auto lo$/, qr/^iface lo( inet)?: method loopback$/,
    # a host NIC absent from the file gets an 'iface X inet manual' stanza (no auto): inert
    qr/^iface $PVE::Network::Interfaces::PHYSICAL_NIC_RE inet: method manual$/);
my (@add_bad, @add_ok);
for my $l (@added) { (grep { $l =~ $_ } @neutral) ? push(@add_ok, $l) : push(@add_bad, $l) }

my @cmd_reordered;
for my $s (sort keys %{ $a->{cmds} }) {
    my $x = join("\n", @{ $a->{cmds}{$s} });
    my $y = join("\n", @{ $b->{cmds}{$s} || [] });
    push @cmd_reordered, $s if $x ne $y && !grep { index($_, "$s:") == 0 } @lost, @changed;
}
my %pos; my $i = 0; $pos{$_} = $i++ for @{ $b->{order} };
my @in_b = grep { defined $pos{$_} } @{ $a->{order} };
my $stanza_reordered = join(',', @in_b) ne join(',', sort { $pos{$a} <=> $pos{$b} } @in_b);

my %bc = map { $_ => 1 } @{ $b->{comments} };
my @comments_dropped = grep { !$bc{$_} } @{ $a->{comments} };

my $fail = 0;
my $say = sub { my ($tag, @l) = @_; print "$tag: $_\n" for @l };
$say->('LOST', @lost);                         $fail ||= @lost;
print "CHANGED:\n", map({ "  $_\n" } @changed) if @changed;   $fail ||= @changed;
$say->('ADDED', @add_bad);                     $fail ||= @add_bad;
$say->('ADDED (neutral default)', @add_ok);
$say->('REORDERED commands in', @cmd_reordered); $fail ||= @cmd_reordered;
print "INFO: stanza order changed\n" if $stanza_reordered;
$say->('INFO comment dropped', @comments_dropped);
$say->('PVE REFUSED (api) -- the GUI could not save this bridge', @api_refused); $fail ||= @api_refused;
$say->('PVE WARNING (parse)', map { s/\n$//r } @$parse_warnings);
$say->('PVE WARNING (write)', map { s/\n$//r } @$write_warnings);
$fail ||= @$parse_warnings || @$write_warnings;
printf "RESULT: %s (%d config lines in, %d out; nics stubbed as physical: %s)\n",
    $fail ? 'FAIL' : 'OK', scalar @{ $a->{lines} }, scalar @{ $b->{lines} }, join(',', @$nics) || '-';
exit($fail ? 1 : 0);
