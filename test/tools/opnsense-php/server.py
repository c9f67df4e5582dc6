"""Runs render.py and update-tables.py for one release tree, many times, in one interpreter: what
`python3 render.py ROOT ...` and `python3 update-tables.py ROOT ...` do, each in a child forked
from a process that has already loaded the template engine, Jinja2 and the libraries
update_tables.py imports (starting Python and importing them is most of a render's CPU).
usage: python3 server.py ROOT
Reads one JSON request a line on stdin: {"script": "render.py" or "update-tables.py",
"args": [ARGS after ROOT], "dir": DIR}; runs the script as `python3 SCRIPT ROOT ARGS...` would,
in a fresh child with its stdout and stderr in DIR/stdout and DIR/stderr, and answers one line
{"status": EXIT_STATUS} when it has ended. Requests run one after the other, in order; the
server exits at the end of its input."""
import json
import os
import runpy
import sys
import traceback

if len(sys.argv) != 2:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
root = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ('render.py', 'update-tables.py')

# What the scripts import, loaded once: the children inherit it (render.py puts the same
# directory first on its path and finds the template engine already imported).
sys.path.insert(0, os.path.join(root, 'usr/local/opnsense/service'))
try:
    import modules.template  # noqa: F401
    import modules.config  # noqa: F401
except ImportError:
    pass  # render.py says what is missing, in each answer
del sys.path[0]
for name in ('asyncio', 'argparse', 'csv', 'configparser', 'email.message', 'gzip', 'ipaddress', 'requests', 'urllib3', 'zipfile', 'xml.etree.cElementTree'):
    try:
        __import__(name)
    except ImportError:
        pass


def child(script, args, out):
    """In the forked child: run SCRIPT as `python3 SCRIPT ARGS...` would; never returns."""
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    for fd, name in ((1, 'stdout'), (2, 'stderr')):
        f = os.open(os.path.join(out, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(f, fd)
        os.close(f)
    path = os.path.join(here, script)
    sys.argv = [path] + args
    sys.path.insert(0, here)
    code = 0
    try:
        runpy.run_path(path, run_name='__main__')
    except SystemExit as e:
        if e.code is None:
            code = 0
        elif isinstance(e.code, int):
            code = e.code
        else:
            print(e.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code & 0xff)


for line in sys.stdin:
    request = json.loads(line)
    script, args, out = request['script'], request['args'], request['dir']
    if script not in SCRIPTS:
        answer = {'error': 'no such script: %s' % script}
    else:
        os.makedirs(out, exist_ok=True)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            child(script, [root] + args, out)
        _, status = os.waitpid(pid, 0)
        answer = {'status': os.waitstatus_to_exitcode(status)}
    sys.stdout.write(json.dumps(answer) + '\n')
    sys.stdout.flush()
