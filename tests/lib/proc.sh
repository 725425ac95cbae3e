# The container's processes.  The container's pid (state, --pid-file) is
# urunc's supervisor (comm "urunc:supervise"); the VMM is its child.

# vmm_of PID: the VMM that the supervisor PID forked (empty when none).
vmm_of() { awk '{ print $1 }' "/proc/$1/task/$1/children" 2>/dev/null; }

# fds_of PID: what each open fd of PID is, one "FD TARGET" per line, with
# anonymous inodes and sockets reduced to their kind.
fds_of() {
  local f
  for f in /proc/"$1"/fd/*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    printf '%s %s\n' "${f##*/}" "$(readlink "$f" | sed 's/^socket:.*/socket/; s/^anon_inode:\[*\([a-z_]*\)\]*/\1/')"
  done | sort -n
}
