#!/usr/bin/python3
"""no_undefined.py ARCHIVE: fails when an object in ARCHIVE references an
undefined symbol (cpu_features.cpp must need nothing from a C library, not
even memset/memcpy); skips (77) without nm."""
import shutil
import subprocess
import sys

nm = shutil.which('nm')
if nm is None:
    print('SKIP: nm not found')
    sys.exit(77)
r = subprocess.run([nm, '-u', sys.argv[1]], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
if r.returncode != 0:
    print(r.stdout)
    sys.exit('FAIL: nm failed on ' + sys.argv[1])
undefined = [line.split()[-1] for line in r.stdout.splitlines() if line.strip().startswith('U ')]
for name in undefined:
    print('undefined: ' + name)
print('%d undefined symbol(s) in %s' % (len(undefined), sys.argv[1]))
sys.exit(1 if undefined else 0)
