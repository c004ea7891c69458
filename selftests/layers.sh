#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# layers.sh BUILD_DIR: check that rdma_sock.ko's layers only call down.
#
# Kbuild declares each object's layer, lowest first (rsk-layers and the
# rsk-layer-NAME lists).  An object may use the symbols that its own layer
# and the layers below define; a symbol it takes from a layer above is a
# call upward, which must go through an ops or handler table that the
# upper layer registers instead.  Read from the built objects (nm), so it
# sees what the compiler emitted, inline helpers from headers included.
#
# Prints one line per violation ("FILE (LAYER) uses SYMBOL of FILE
# (LAYER)") and exits 1 if there is any; prints each file's layer and
# exits 0 otherwise.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: layers.sh BUILD_DIR (the directory Kbuild built in)}

# The layer table, as make reads it from Kbuild.
table=$(make -s --no-print-directory -f - print <<EOF
include $top/Kbuild
print:
	@\$(foreach l,\$(rsk-layers),echo "\$(l) \$(rsk-layer-\$(l))";)
EOF
)
[ -n "$table" ] || { echo "layers.sh: no rsk-layers in Kbuild"; exit 1; }

declare -A layer_of rank_of def_in
rank=0
while read -r layer objs; do
	rank_of[$layer]=$rank
	rank=$((rank + 1))
	for o in $objs; do
		layer_of[$o]=$layer
	done
done <<< "$table"

# Every object of the module must have a layer.
listed=$(make -s --no-print-directory -f - print <<EOF
include $top/Kbuild
print:
	@echo \$(rdma_sock-y)
EOF
)
bad=0
for o in $listed; do
	if [ -z "${layer_of[$o]:-}" ]; then
		echo "$o: in rdma_sock-y but in no layer"
		bad=1
	fi
	[ -f "$build/$o" ] || { echo "layers.sh: $build/$o not built"; exit 1; }
done

# Who defines what.
for o in $listed; do
	while read -r _ type sym; do
		def_in[$sym]=$o
	done < <(nm --defined-only -g "$build/$o" | awk 'NF == 3')
done

for o in $listed; do
	me=${layer_of[$o]}
	while read -r _ sym; do
		d=${def_in[$sym]:-}
		[ -n "$d" ] || continue		# the kernel's, not ours
		them=${layer_of[$d]}
		if [ "${rank_of[$them]}" -gt "${rank_of[$me]}" ]; then
			echo "${o%.o}.c ($me) uses $sym of ${d%.o}.c ($them)"
			bad=1
		fi
	done < <(nm -u "$build/$o")
done

if [ $bad = 0 ]; then
	while read -r layer objs; do
		echo "$layer: $(echo "$objs" | sed 's|net/rdma_sock/||g; s|\.o||g')"
	done <<< "$table"
fi
exit $bad
