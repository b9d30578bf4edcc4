"""Cut the 1920x1080 benchmark photo out of a Debian wallpaper.

The source is Kleiber_by_Lukas_Baubkus.jpg (6028x3391, a nuthatch on tree bark) from the
Debian package lomiri-wallpapers-20.04. The crop is at native resolution, so it has real
sensor detail: bark texture on the left, the bird in the middle (under the blurred region
at (800, 390)), bokeh on the right. Saved with Pillow at q92, 4:2:0.

Usage: python make_photo.py <Kleiber_by_Lukas_Baubkus.jpg> <out.jpg>
"""

import sys

from PIL import Image

source = Image.open(sys.argv[1]).convert("RGB")
assert source.size == (6028, 3391), source.size
left, top = 1700, 1100
source.crop((left, top, left + 1920, top + 1080)).save(sys.argv[2], "JPEG", quality=92, subsampling=2)
