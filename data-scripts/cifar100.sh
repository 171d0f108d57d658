#!/usr/bin/env bash
# CIFAR-100, binary version, from the authors' page (https://www.cs.toronto.edu/~kriz/cifar.html).
# usage: data-scripts/cifar100.sh <folder>  ->  <folder>/cifar-100-binary/{train,test}.bin + label names
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dir="$(target_dir "$@")"
archive="$dir/cifar-100-binary.tar.gz"
[ -f "$archive" ] || fetch https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz "$archive"
# The md5 published on the CIFAR page for the binary version.
check_md5 "$archive" 03b5dce01913d631647c71ecec9e9cb8
tar -xzf "$archive" -C "$dir"
# Records of 1 coarse + 1 fine label byte + 3072 pixel bytes: 50,000 train, 10,000 test.
check_size "$dir/cifar-100-binary/train.bin" 153700000
check_size "$dir/cifar-100-binary/test.bin" 30740000
for f in fine_label_names.txt coarse_label_names.txt; do
  [ -f "$dir/cifar-100-binary/$f" ] || die "missing $f"
done
log "CIFAR-100 ready: $dir/cifar-100-binary (read it with Cifar.Load100(\"$dir\", train, Cifar100Label.Fine))"
