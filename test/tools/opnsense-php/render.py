"""Renders one template module of OPNsense (e.g. OPNsense.HAProxy) for a config.xml, with
OPNsense's own template engine (service/modules/template.py, Jinja2) and config reader from the
release tree setup.sh extracted: what `configctl template reload OPNsense.HAProxy` writes.
usage: python3 render.py ROOT CONFIG.xml OUTDIR MODULE
exit 0 rendered (the files written are listed), 1 the template failed, 2 usage."""
import os
import sys

if len(sys.argv) != 5:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
root, config, outdir, module = sys.argv[1:5]
sys.path.insert(0, os.path.join(root, 'usr/local/opnsense/service'))
try:
    import modules.template
    from modules.config import Config
except ImportError as error:
    print('cannot load the template engine: %s (python3-jinja2 installed?)' % error, file=sys.stderr)
    sys.exit(2)

template = modules.template.Template(target_root_directory=outdir)
# Jinja2 compiles a template to Python on each load (most of a run: the HAProxy template takes
# about half a second). Its own bytecode cache keeps the compiled code beside the release tree,
# keyed by the template's name and checked against its source, so later runs render the same
# templates without compiling them again. Without a writable place, every run compiles.
try:
    import jinja2
    bytecode = os.path.join(os.path.dirname(os.path.abspath(root)), 'jinja2-bytecode')
    os.makedirs(bytecode, exist_ok=True)
    template._j2_env.bytecode_cache = jinja2.FileSystemBytecodeCache(bytecode)
except OSError:
    pass
template.set_config(Config(config).get())
# _generate() has a third argument (strict) from 26.7 on
extra = (True,) if template._generate.__code__.co_argcount > 3 else ()
try:
    for name in template._generate(module, True, *extra):
        print(name)
except Exception as error:
    print('template %s failed: %s' % (module, error), file=sys.stderr)
    sys.exit(1)
