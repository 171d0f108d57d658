#!/usr/bin/env bash
# Imagenette (github.com/fastai/imagenette): 10 easy ImageNet classes, from fast.ai's public bucket.
# usage: data-scripts/imagenette.sh <folder> [160|320|full]   (default 160: shorter side 160 px, 94 MB)
#   ->  <folder>/imagenette2-160/{train,val}/<wnid>/*.JPEG
# fast.ai publishes no checksums, so the archive is checked with gzip/tar and the image counts.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dir="$(target_dir "${1:-}")"
size="${2:-160}"
case "$size" in
  160) name=imagenette2-160 ;;
  320) name=imagenette2-320 ;;
  full) name=imagenette2 ;;
  *) die "size must be 160, 320 or full, got '$size'" ;;
esac
archive="$dir/$name.tgz"
[ -f "$archive" ] || fetch "https://s3.amazonaws.com/fast-ai-imageclas/$name.tgz" "$archive"
gzip -t "$archive" || die "$archive is corrupt (gzip test failed); delete it and run again"
tar -xzf "$archive" -C "$dir"
# Imagenette 2: 9,469 training and 3,925 validation images in 10 class folders.
count_files "$dir/$name/train" '*.JPEG' 9469
count_files "$dir/$name/val" '*.JPEG' 3925
[ "$(find "$dir/$name/train" -mindepth 1 -maxdepth 1 -type d | wc -l)" = 10 ] || die "expected 10 class folders in $dir/$name/train"
log "Imagenette ready: $dir/$name (read it with ImageFolderDataset.Open(\"$dir/$name/train\", options))"
