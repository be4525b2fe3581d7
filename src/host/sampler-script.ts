// The sampler: a POSIX sh script (dash, busybox ash; nothing of bash) that
// pgtop runs ONCE per session in the server's container over exec, and
// that then answers every request for a sample with one framed record on
// stdout. Pacing: it reads one line from stdin per sample, so samples are
// taken exactly when a refresh asks for one and none while nothing does (a
// paused dashboard, a screen that shows no host figure); EOF on stdin (pgtop
// quits, the stream drops) ends it. No timer of its own means no drift
// between its clock and the refresh, and no output to buffer while nobody
// reads.
//
// Each record is lines, each with a one-letter tag (parse.ts reads them):
//   @pgtop-sample N        begins record N
//   k CLK_TCK   m MemTotal in kB   v cgroup version (2, 1, 0: none)   p $PGDATA
//   t /proc/uptime's seconds (the clock the counters are measured against)
//   s /proc/PID/stat, as is; then for that process
//   r resident set in kB: /proc/PID/statm's resident pages, what VmRSS of
//     /proc/PID/status says (status is ~1.3 kB that dash reads a byte per
//     system call: statm is one short line)
//   i read_bytes / write_bytes from /proc/PID/io (when readable)
//   c FILE LINE            a line of a cgroup file (memory.current, cpu.stat…)
//   d LINE                 a line of df -Pk "$PGDATA"
//   @pgtop-end N           ends it
// Only builtins run per process (read, printf, case): one df per sample is
// the only process it starts. A postgres process is one whose comm is
// postgres (or postmaster), or whose argv[0] is; the process title (user,
// database, client) is never sent. `read -r` takes one line, so nothing a
// process can write into its own files breaks the framing.
export const SAMPLER_SCRIPT = `LC_ALL=C
export LC_ALL
d=\${PGDATA:-/var/lib/postgresql/data}
k=$(getconf CLK_TCK 2>/dev/null) || k=100
case $k in ''|*[!0-9]*) k=100 ;; esac
z=$(getconf PAGESIZE 2>/dev/null) || z=4096
case $z in ''|*[!0-9]*) z=4096 ;; esac
z=$((z / 1024))
m=
while read -r a b c; do
  case $a in MemTotal:) m=$b; break ;; esac
done </proc/meminfo
if [ -r /sys/fs/cgroup/cgroup.controllers ]; then
  v=2
  g="memory.current memory.max cpu.max cpu.stat"
  gd=/sys/fs/cgroup
elif [ -d /sys/fs/cgroup/memory ]; then
  v=1
  g="memory/memory.usage_in_bytes memory/memory.limit_in_bytes cpuacct/cpuacct.usage cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.stat"
  gd=/sys/fs/cgroup
else
  v=0
  g=
  gd=
fi
n=0
while read -r q; do
  [ "$q" = q ] && exit 0
  n=$((n + 1))
  printf '@pgtop-sample %s\\nk %s\\nm %s\\nv %s\\np %s\\n' "$n" "$k" "$m" "$v" "$d"
  read -r u rest </proc/uptime
  printf 't %s\\n' "$u"
  for p in /proc/[0-9]*; do
    c=
    read -r c 2>/dev/null <"$p/comm" || continue
    case $c in
      postgres|postmaster) ;;
      *) l=
         read -r l 2>/dev/null <"$p/cmdline"
         case $l in postgres*|*/postgres|*/postgres\\ *) ;; *) continue ;; esac ;;
    esac
    s=
    read -r s 2>/dev/null <"$p/stat" || continue
    printf 's %s\\n' "$s"
    a=
    b=
    read -r a b c 2>/dev/null <"$p/statm"
    case $b in ''|*[!0-9]*) ;; *) printf 'r %s kB\\n' $((b * z)) ;; esac
    while read -r a b; do
      case $a in read_bytes:|write_bytes:) printf 'i %s %s\\n' "$a" "$b" ;; esac
    done 2>/dev/null <"$p/io"
  done
  for f in $g; do
    while read -r a; do
      printf 'c %s %s\\n' "$f" "$a"
    done 2>/dev/null <"$gd/$f"
  done
  df -Pk "$d" 2>/dev/null | while read -r a; do printf 'd %s\\n' "$a"; done
  printf '@pgtop-end %s\\n' "$n"
done
`;

/** The exec command: sh runs the script; $0 names it in ps. */
export const SAMPLER_COMMAND: readonly string[] = ['sh', '-c', SAMPLER_SCRIPT, 'pgtop-sampler'];
