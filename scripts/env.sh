# Sourced by the other scripts: puts the project's Node 24 (if setup installed one) and the tools
# setup installed into .tools/bin (kubectl, where the machine lacks one) first on PATH.
_conjecture_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -d "$_conjecture_root/.tools/bin" ]; then export PATH="$_conjecture_root/.tools/bin:$PATH"; fi
if [ -x "$_conjecture_root/.tools/node/node_modules/.bin/node" ]; then
  export PATH="$_conjecture_root/.tools/node/node_modules/.bin:$_conjecture_root/node_modules/.bin:$PATH"
else
  export PATH="$_conjecture_root/node_modules/.bin:$PATH"
fi
