#!/usr/bin/env bash
# CIFAR-10, binary version, from the authors' page (https://www.cs.toronto.edu/~kriz/cifar.html).
# usage: data-scripts/cifar10.sh <folder>   ->  <folder>/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dir="$(target_dir "$@")"
archive="$dir/cifar-10-binary.tar.gz"
# The md5 published on the CIFAR page for the binary version.
[ -f "$archive" ] || fetch https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz "$archive"
check_md5 "$archive" c32a1d4ab5d03f1284b67883e8d87530
tar -xzf "$archive" -C "$dir"
# 10,000 records of 1 label byte + 3072 pixel bytes per file.
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  check_size "$dir/cifar-10-batches-bin/$f.bin" 30730000
done
[ -f "$dir/cifar-10-batches-bin/batches.meta.txt" ] || die "missing batches.meta.txt"
log "CIFAR-10 ready: $dir/cifar-10-batches-bin (read it with Cifar.Load10(\"$dir\", train))"
