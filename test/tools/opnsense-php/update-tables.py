"""Runs OPNsense's own scripts/filter/update_tables.py (what `configctl filter refresh_aliases`
runs after a filter reload) on a filter_tables.conf (render.py ... OPNsense.Filter renders it from
a config.xml), offline, and prints as JSON what it loaded into each pf table.
usage: python3 update-tables.py ROOT filter_tables.conf WORKDIR
A copy of scripts/filter goes to WORKDIR with its absolute paths pointing there (the mechanical
edit setup.sh makes to the PHP code): /var/db/aliastables, /usr/local/share/GeoIP, and /sbin/pfctl,
which is a stand-in that keeps each table in a file (`-T replace -f FILE` loads FILE's lines).
dnspython, ujson and jq are replaced by stubs: a name sent to DNS is recorded ("dns" in the output),
ujson and jq fail if used. Output: {"result": update_tables.py's own JSON, "tables": {name: [line, ...]},
"dns": [name, ...]}; exit 0, 1 when update_tables.py failed, 2 usage."""
import contextlib
import io
import json
import os
import runpy
import shlex
import shutil
import sys
import traceback

if len(sys.argv) != 4:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
root, conf, work = sys.argv[1:4]
src = os.path.join(root, 'usr/local/opnsense/scripts/filter')
if not os.path.isfile(os.path.join(src, 'update_tables.py')):
    print('no update_tables.py under %s (run setup.sh RELEASE first)' % root, file=sys.stderr)
    sys.exit(2)

filter_dir = os.path.join(work, 'filter')
pf_dir = os.path.join(work, 'pf')
stubs = os.path.join(work, 'stubs')
for d in (pf_dir, os.path.join(work, 'aliastables'), os.path.join(work, 'GeoIP'), os.path.join(stubs, 'dns')):
    os.makedirs(d, exist_ok=True)
# An existing alias.stats: update_tables.py downloads GeoIP data otherwise.
open(os.path.join(work, 'GeoIP', 'alias.stats'), 'w').close()
shutil.copytree(src, filter_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns('__pycache__'))
paths = {'/var/db/aliastables': os.path.join(work, 'aliastables'), '/usr/local/share/GeoIP': os.path.join(work, 'GeoIP'), '/sbin/pfctl': os.path.join(work, 'pfctl')}
for name in ['update_tables.py'] + ['lib/alias/' + f for f in os.listdir(os.path.join(filter_dir, 'lib/alias')) if f.endswith('.py')]:
    path = os.path.join(filter_dir, name)
    text = open(path).read()
    for old, new in paths.items():
        text = text.replace(old, new)
    open(path, 'w').write(text)

# pfctl: a shell script (update_tables.py runs it once or twice a table: a Python stand-in's start-up was most of a run)
with open(os.path.join(work, 'pfctl'), 'w') as f:
    f.write('''#!/bin/sh
LC_ALL=C
tables=%s
if [ "$*" = "-vvsT" ]; then
  for path in "$tables"/*; do
    [ -f "$path" ] || continue
    printf -- '-pa-r--\\t%%s\\n\\tAddresses:   %%d\\n' "${path##*/}" "$(($(wc -w < "$path")))"
  done
  exit 0
fi
path=$tables/$2
case $4 in
  replace) if [ "$5" = -f ]; then cat "$6" > "$path"; else printf '%%s' "$5" > "$path"; fi ;;
  flush) : > "$path" ;;
  kill) rm -f "$path" ;;
  show) if [ -f "$path" ]; then cat "$path"; echo; fi ;;
esac
''' % shlex.quote(pf_dir))
os.chmod(os.path.join(work, 'pfctl'), 0o755)

dns_log = os.path.join(work, 'dns.log')
open(os.path.join(stubs, 'dns', '__init__.py'), 'w').write('')
open(os.path.join(stubs, 'dns', 'exception.py'), 'w').write('class DNSException(Exception):\n    pass\nclass Timeout(DNSException):\n    pass\n')
open(os.path.join(stubs, 'dns', 'rrset.py'), 'w').write('class RRset:\n    pass\n')
open(os.path.join(stubs, 'dns', 'rdatatype.py'), 'w').write('import enum\nclass RdataType(enum.IntEnum):\n    A = 1\n    CNAME = 5\n    AAAA = 28\n')
open(os.path.join(stubs, 'dns', 'resolver.py'), 'w').write('from .exception import Timeout\nclass Answer:\n    pass\nclass NXDOMAIN(Exception):\n    pass\nclass NoNameservers(Exception):\n    pass\n')
open(os.path.join(stubs, 'dns', 'asyncresolver.py'), 'w').write(
    'from .resolver import NXDOMAIN\nclass Resolver:\n    async def resolve(self, name, rdtype):\n'
    '        open(%r, "a").write("%%s\\n" %% name)\n        raise NXDOMAIN(name)\n' % dns_log)
for module in ('ujson', 'jq'):
    open(os.path.join(stubs, module + '.py'), 'w').write('def __getattr__(name):\n    raise ImportError("%s is not available offline")\n' % module)

# update_tables.py in this process, as `python3 update_tables.py --source_conf CONF` runs it
# (its directory and the stubs first on the path), its output and messages kept apart.
script = os.path.join(filter_dir, 'update_tables.py')
sys.argv = [script, '--source_conf', conf]
sys.path[:0] = [filter_dir, stubs]
sys.dont_write_bytecode = True
output, messages, code = io.StringIO(), io.StringIO(), 0
with contextlib.redirect_stdout(output), contextlib.redirect_stderr(messages):
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except Exception:
        traceback.print_exc()
        code = 1
if code != 0:
    print(messages.getvalue(), file=sys.stderr)
    sys.exit(1)
tables = {name: [l for l in open(os.path.join(pf_dir, name)).read().split('\n') if l] for name in sorted(os.listdir(pf_dir))}
dns = open(dns_log).read().split() if os.path.exists(dns_log) else []
print(json.dumps({'result': json.loads(output.getvalue()), 'tables': tables, 'dns': dns}))
