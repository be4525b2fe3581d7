// The sampler: a POSIX sh script (dash, busybox ash; nothing of bash) that
// pgtop runs ONCE per session in the server's container over exec, and
// that then answers every request for a sample with one framed record on
// stdout. Pacing: it reads one line from stdin per sample, so samples are
// taken exactly when a refresh asks for one and none while nothing does (a
// paused dashboard); EOF on stdin (pgtop quits, the stream drops) ends it.
// No timer of its own means no drift between its clock and the refresh, and
// no output to buffer while nobody reads.
//
// The request line says what the sample holds (requestLine): `p` the
// processes (only while the activity screen shows their columns), `c` the
// cgroup files (the header's container figures), `d` the data volume (every
// 10 s at most). A sample without `p` or `d` starts no process at all.
//
// It runs on the watched server's CPU quota, so it does the least it can:
// with `p`, ONE `head` reads every process's stat and io (a shell loop with
// `read` per process cost ~1 ms of CPU per process under dash, which reads a
// byte per system call: bench/results/sampler.md); with `d`, one `df`; the
// shell's builtins read the cgroup files. A process's resident set is
// stat's rss field (pages), so statm is not read.
// Which processes are postgres is decided by pgtop from the comm in each
// stat line (parse.ts): the process title (cmdline: user, database, client)
// is never read.
//
// Each record is lines, the tagged ones first (parse.ts reads them):
//   @pgtop-sample N        begins record N
//   k CLK_TCK   z PAGESIZE in bytes   m MemTotal in kB   v cgroup version (2, 1, 0: none)   p $PGDATA
//   t /proc/uptime's seconds (the clock the counters are measured against)
//   c FILE LINE            a line of a cgroup file (memory.current, cpu.stat…)
// then, untagged (a pipe into a read loop would cost one more process):
//   ==> df <==             then df -Pk "$PGDATA" as it prints it
// and head's output, each file after a "==> /proc/PID/FILE <==" line (no
// content line can be one: the only free text, comm, is 15 bytes at most),
//   @pgtop-sample-end N    ends it (a whole line: too long for a comm to forge)
// A file that vanishes between the glob and the read (a backend exiting) is
// left out, its error thrown away.
export const SAMPLER_SCRIPT = `LC_ALL=C
export LC_ALL
d=\${PGDATA:-/var/lib/postgresql/data}
k=$(getconf CLK_TCK 2>/dev/null) || k=100
case $k in ''|*[!0-9]*) k=100 ;; esac
z=$(getconf PAGESIZE 2>/dev/null) || z=4096
case $z in ''|*[!0-9]*) z=4096 ;; esac
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
  printf '@pgtop-sample %s\\nk %s\\nz %s\\nm %s\\nv %s\\np %s\\n' "$n" "$k" "$z" "$m" "$v" "$d"
  read -r u rest </proc/uptime
  printf 't %s\\n' "$u"
  case $q in *c*)
    for f in $g; do
      while read -r a; do
        printf 'c %s %s\\n' "$f" "$a"
      done 2>/dev/null <"$gd/$f"
    done ;;
  esac
  case $q in *d*)
    printf '==> df <==\\n'
    df -Pk "$d" 2>/dev/null ;;
  esac
  case $q in *p*)
    head -c 4096 /proc/[0-9]*/stat /proc/[0-9]*/io 2>/dev/null ;;
  esac
  printf '\\n@pgtop-sample-end %s\\n' "$n"
done
`;

/** The exec command: sh runs the script; $0 names it in ps. */
export const SAMPLER_COMMAND: readonly string[] = ['sh', '-c', SAMPLER_SCRIPT, 'pgtop-sampler'];

/** What one sample holds; what is not asked for is not read (and is empty or null in the sample). */
export interface SampleRequest {
  /** Every process's stat and io: per-backend CPU, memory and I/O. */
  processes?: boolean;
  /** The container's cgroup files. */
  container?: boolean;
  /** The data directory's filesystem (df). */
  filesystem?: boolean;
}

/** The line on the sampler's stdin that asks for one sample (letters only: the script matches them with case). */
export function requestLine(request: SampleRequest): string {
  return `${request.processes ? 'p' : ''}${request.container ? 'c' : ''}${request.filesystem ? 'd' : ''}\n`;
}
