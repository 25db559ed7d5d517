# bench.png from the data files bench/run.sh extracts from results.json.
# gnuplot -e "dir='...'; out='...png'; title='...'" bench/plot.gp

set terminal pngcairo size 1600,1200 font "sans,10" noenhanced
set output out
set multiplot layout 2,2 title title font "sans,13"

set style data histograms
set style histogram clustered gap 1 errorbars lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics rotate by -30 scale 0
set datafile separator "\t"

set title "ns per packet (median; bar q1-q3 on 1 CPU; 2 CPUs: 1 / summed throughput)"
set ylabel "ns / packet"
set yrange [0:*]
plot dir."/strategies.dat" using 2:3:4:xtic(1) title "1 CPU" lc rgb "#4472c4", \
     "" using 5:5:5 title "2 CPUs, same keys" lc rgb "#ed7d31", \
     "" using 6:6:6 title "2 CPUs, own keys" lc rgb "#70ad47"

set style histogram clustered gap 1
set key top right horizontal
set title "2-CPU scaling: throughput on 2 CPUs / on 1 (2.0 is perfect; target line 1.9)"
set ylabel "ratio"
set yrange [0:2.5]
plot dir."/scaling.dat" using 2:xtic(1) title "same keys" lc rgb "#ed7d31", \
     "" using 3 title "own keys" lc rgb "#70ad47", \
     1.9 with lines dt 2 lc rgb "black" title "1.9", \
     2.0 with lines lc rgb "gray" notitle

set style data linespoints
set title "key-count sweep: (dir, saddr) key, driver + tail call included"
set xlabel "distinct keys"
set ylabel "ns / packet"
set logscale x
set yrange [0:*]
set xtics norotate auto
set key top left
plot dir."/sweep.dat" using 1:2 title "parse (floor)" lw 2 pt 7, \
     "" using 1:3 title "percpu_hash (preallocated)" lw 2 pt 5, \
     "" using 1:4 title "map_in_map (flowtally)" lw 2 pt 9, \
     "" using 1:5 title "percpu_hash, allocating on insert" lw 2 pt 11

set title "reading a PERCPU_HASH from userspace"
set xlabel "entries"
set ylabel "ns / entry"
set logscale y
set yrange [*:*]
plot dir."/read.dat" using 1:2 title "lookup_batch (4096)" lw 2 pt 7, \
     "" using 1:3 title "get_next_key + lookup" lw 2 pt 5, \
     "" using 1:4 title "lookup_and_delete_batch (flowtally's drain)" lw 2 pt 9

unset multiplot
