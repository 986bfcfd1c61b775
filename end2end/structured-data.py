"""Reads a running shop as search engines and link previews do, with real parsers: the JSON-LD
and Open Graph of product and category pages through extruct, the sitemap through an XML parser,
robots.txt through Python's own robots parser. Run by scripts/test.sh against the browser tests'
fresh shop, before they change its catalog:

    target/python/bin/python end2end/structured-data.py http://127.0.0.1:PORT
"""

import sys
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET

import extruct

BASE = sys.argv[1].rstrip("/")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def fetch(path):
    with urllib.request.urlopen(BASE + path) as response:
        assert response.status == 200, path
        return response.read().decode("utf-8")


def read(path):
    """The page's JSON-LD items by type, and its Open Graph properties."""
    found = extruct.extract(fetch(path), base_url=BASE + path, syntaxes=["json-ld", "opengraph"])
    by_type = {item["@type"]: item for item in found["json-ld"]}
    graph = dict(found["opengraph"][0]["properties"]) if found["opengraph"] else {}
    return by_type, graph


def check_offer(offer, price):
    assert offer["@type"] == "Offer", offer
    assert offer["price"] == price, offer
    assert offer["priceCurrency"] == "EUR", offer
    assert offer["availability"].startswith("https://schema.org/"), offer
    assert offer["url"].startswith(BASE + "/"), offer


def check_simple_product():
    items, graph = read("/lt/p/enamel-mug")
    product = items["Product"]
    assert product["sku"] == "enamel-mug", product
    assert product["url"] == BASE + "/lt/p/enamel-mug", product
    assert product["image"] == [BASE + "/images/products/enamel-mug.svg"], product
    check_offer(product["offers"], "12.50")
    trail = items["BreadcrumbList"]["itemListElement"]
    assert [step["position"] for step in trail] == [1, 2, 3], trail
    assert trail[2]["item"] == BASE + "/lt/p/enamel-mug", trail
    assert graph["og:type"] == "product", graph
    assert graph["og:url"] == BASE + "/lt/p/enamel-mug", graph
    assert graph["og:image"] == BASE + "/images/products/enamel-mug.svg", graph
    assert graph["product:price:amount"] == "12.50", graph
    assert graph["product:price:currency"] == "EUR", graph


def check_product_group():
    items, graph = read("/en/p/linen-shirt")
    group = items["ProductGroup"]
    assert group["productGroupID"] == "linen-shirt", group
    assert group["variesBy"] == ["https://schema.org/size", "https://schema.org/color"], group
    variants = {variant["sku"]: variant for variant in group["hasVariant"]}
    assert len(variants) == 12, variants.keys()
    on_sale = variants["linen-shirt-m-natural"]
    assert (on_sale["size"], on_sale["color"]) == ("M", "Natural"), on_sale
    assert on_sale["url"] == BASE + "/en/p/linen-shirt?variant=linen-shirt-m-natural", on_sale
    check_offer(on_sale["offers"], "49.00")
    check_offer(variants["linen-shirt-l-navy"]["offers"], "64.00")
    assert variants["linen-shirt-s-navy"]["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert graph["og:title"] == "Linen Shirt", graph


def check_category():
    items, _ = read("/en/c/kitchen")
    trail = items["BreadcrumbList"]["itemListElement"]
    assert trail[-1]["name"] == "Kitchen" and trail[-1]["item"] == BASE + "/en/c/kitchen", trail


def check_sitemap():
    root = ET.fromstring(fetch("/sitemap.xml"))
    assert root.tag == SITEMAP + "urlset", root.tag
    urls = root.findall(SITEMAP + "url")
    assert len(urls) >= 2 * (31 + 5 + 1), len(urls)
    locs = set()
    for url in urls:
        loc = url.find(SITEMAP + "loc").text
        locs.add(loc)
        assert url.find(SITEMAP + "lastmod") is not None, loc
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall(XHTML + "link")}
        assert set(alternates) == {"en", "lt", "x-default"}, alternates
        assert loc in alternates.values(), (loc, alternates)
    assert BASE + "/lt/p/linen-shirt" in locs and BASE + "/en/c/kitchen" in locs
    for loc in sorted(locs)[:8]:
        fetch(loc[len(BASE):])


def check_robots():
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(fetch("/robots.txt").splitlines())
    for closed in ["/admin", "/admin/orders", "/api/cart", "/lt/cart", "/en/checkout"]:
        assert not robots.can_fetch("*", BASE + closed), closed
    for open_ in ["/", "/lt/p/linen-shirt", "/en/c/kitchen", "/sitemap.xml"]:
        assert robots.can_fetch("*", BASE + open_), open_
    assert robots.site_maps() == [BASE + "/sitemap.xml"], robots.site_maps()


for check in [check_simple_product, check_product_group, check_category, check_sitemap, check_robots]:
    check()
    print("ok", check.__name__)
