#!/usr/bin/env bash
# COCO 2017 validation images and the train/val annotations (https://cocodataset.org/#download).
# usage: data-scripts/coco2017-val.sh <folder>  ->  <folder>/val2017/*.jpg, <folder>/annotations/*.json
# cocodataset.org publishes no checksums, so the zips are tested and the contents counted.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dir="$(target_dir "$@")"
command -v unzip >/dev/null || die "unzip is missing (sudo apt-get install unzip)"
images="$dir/val2017.zip"
annotations="$dir/annotations_trainval2017.zip"
[ -f "$images" ] || fetch http://images.cocodataset.org/zips/val2017.zip "$images"
[ -f "$annotations" ] || fetch http://images.cocodataset.org/annotations/annotations_trainval2017.zip "$annotations"
for z in "$images" "$annotations"; do
  unzip -tq "$z" >/dev/null || die "$z is corrupt (unzip -t failed); delete it and run again"
done
unzip -oq "$images" -d "$dir"
unzip -oq "$annotations" -d "$dir"
count_files "$dir/val2017" '*.jpg' 5000
for f in instances_val2017.json captions_val2017.json person_keypoints_val2017.json; do
  [ -s "$dir/annotations/$f" ] || die "missing or empty: $dir/annotations/$f"
done
# The instances file must list exactly the 5,000 extracted images and 80 categories.
python3 - "$dir/annotations/instances_val2017.json" <<'PY' || die "instances_val2017.json does not match the images"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["images"]) == 5000, len(d["images"])
assert len(d["categories"]) == 80, len(d["categories"])
print(f"==> instances_val2017.json: {len(d['images'])} images, {len(d['annotations'])} annotations, 80 categories", file=sys.stderr)
PY
log "COCO 2017 val ready: $dir/val2017 and $dir/annotations"
