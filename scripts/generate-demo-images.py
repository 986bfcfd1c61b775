#!/usr/bin/env python3
"""Draws the demo catalog's product pictures as SVG files in public/images/products/.

Nothing can be downloaded for the demo shop, so each product gets a simple, friendly drawing:
a tinted background per category, a motif per product and its name. Re-run after adding demo
products to src/catalog/demo.rs; the output is committed.
"""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = (ROOT / "src/catalog/demo.rs").read_text()
OUT = ROOT / "public/images/products"

PALETTES = {
    "kitchen": ("#f3e9dc", "#b5651d", "#6b3e26"),
    "coffee-tea": ("#efe6da", "#7a4b2a", "#3b2416"),
    "home-textiles": ("#e7eef2", "#4d7c99", "#24445a"),
    "stationery": ("#f4efe1", "#c08a2e", "#4a3b1c"),
    "garden": ("#e6f0e0", "#4f8a3c", "#284a1d"),
}

MOTIFS = [
    # circle with inner ring
    lambda a, d: f'<circle cx="300" cy="260" r="150" fill="{a}"/><circle cx="300" cy="260" r="90" fill="none" stroke="{d}" stroke-width="14"/>',
    # rounded rectangle with lines
    lambda a, d: f'<rect x="150" y="120" width="300" height="280" rx="36" fill="{a}"/>'
    + "".join(f'<line x1="190" x2="410" y1="{y}" y2="{y}" stroke="{d}" stroke-width="10" stroke-linecap="round"/>' for y in (190, 250, 310)),
    # mug-like shape
    lambda a, d: f'<rect x="170" y="140" width="220" height="250" rx="28" fill="{a}"/><path d="M390 200 h40 a50 50 0 0 1 0 120 h-40" fill="none" stroke="{d}" stroke-width="22"/>',
    # leaf
    lambda a, d: f'<path d="M300 100 C470 170 470 360 300 420 C130 360 130 170 300 100 Z" fill="{a}"/><path d="M300 130 V400" stroke="{d}" stroke-width="12"/>',
    # triangle stack
    lambda a, d: f'<polygon points="300,100 470,400 130,400" fill="{a}"/><polygon points="300,210 390,380 210,380" fill="{d}" opacity="0.55"/>',
    # stripes square
    lambda a, d: f'<rect x="140" y="110" width="320" height="300" rx="18" fill="{a}"/>'
    + "".join(f'<rect x="{x}" y="110" width="26" height="300" fill="{d}" opacity="0.45"/>' for x in (190, 260, 330, 400)),
]

PRODUCT = re.compile(r'product!\("([a-z-]+)", "([a-z0-9-]+)", "([^"]+)"')


def svg(category: str, slug: str, name: str) -> str:
    background, accent, dark = PALETTES[category]
    motif = MOTIFS[int(hashlib.sha256(slug.encode()).hexdigest(), 16) % len(MOTIFS)]
    label = name.replace("&", "&amp;")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 600" role="img">'
        f"<title>{label}</title>"
        f'<rect width="600" height="600" fill="{background}"/>'
        f"{motif(accent, dark)}"
        f'<text x="300" y="510" text-anchor="middle" font-family="Georgia, serif" font-size="38" fill="{dark}">{label}</text>'
        "</svg>\n"
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    count = 0
    for category, slug, name in PRODUCT.findall(DEMO):
        (OUT / f"{slug}.svg").write_text(svg(category, slug, name))
        count += 1
    print(f"wrote {count} pictures to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
