# Sourced by the other scripts: puts the project's Node 24 (if setup installed one) first on PATH.
_conjecture_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -x "$_conjecture_root/.tools/node/node_modules/.bin/node" ]; then
  export PATH="$_conjecture_root/.tools/node/node_modules/.bin:$_conjecture_root/node_modules/.bin:$PATH"
else
  export PATH="$_conjecture_root/node_modules/.bin:$PATH"
fi
