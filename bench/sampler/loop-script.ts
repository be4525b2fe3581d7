// The sampler as it was before it read /proc with one head per sample (main
// at 13421e7): a shell loop over /proc/[0-9]* reading comm, stat, statm and io
// with `read` per process. Kept only so bench/sampler.ts can show the figures
// side by side (its end marker renamed as the framer now wants it); pgtop
// does not ship it.
export const LOOP_SCRIPT = `LC_ALL=C
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
  printf '@pgtop-sample-end %s\\n' "$n"
done
`;
