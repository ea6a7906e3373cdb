"""The reference for `bench receipts`: the same A5 receipt drawn with Python reportlab and
the same font (Noto Sans SC, subset on save), N times on one core.

Prints one line: `reportlab receipts=N seconds=S per_receipt_ms=M bytes=B`.
Usage: python3 tests/bench/receipt_reportlab.py FONT.ttf N
"""
import io
import sys
import time

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = 210 * mm, 148 * mm


def receipt(n):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(WIDTH, HEIGHT))
    red, ink, grey = Color(0.8, 0.1, 0.1), Color(0.1, 0.1, 0.12), Color(0.4, 0.42, 0.45)
    c.setStrokeColor(Color(0.75, 0.35, 0.2))
    c.rect(8 * mm, 8 * mm, WIDTH - 16 * mm, HEIGHT - 16 * mm)
    c.setFillColor(red)
    c.setFont("NotoSansSC", 20)
    c.drawCentredString(WIDTH / 2, HEIGHT - 22 * mm, "捐赠收据")
    c.setFont("NotoSansSC", 10)
    c.drawString(WIDTH - 68 * mm, HEIGHT - 18 * mm, f"No. JLCS-2026-{n:06d}")
    c.setFillColor(grey)
    c.setFont("NotoSansSC", 9.5)
    c.drawCentredString(WIDTH / 2, HEIGHT - 29 * mm, "吉林市慈善总会 · 慈善救助双日捐")
    rows = [
        ("捐赠人", "张小明"),
        ("证件号码", "2202**********8814"),
        ("捐赠项目", "2026年慈善救助双日捐"),
        ("资金用途", "非定向（慈善救助）"),
        ("捐赠方式", "银行转账"),
        ("金额（大写）", "人民币壹仟贰佰叁拾肆元伍角陆分"),
        ("金额（小写）", "¥1,234.56"),
    ]
    y = HEIGHT - 40 * mm
    for label, value in rows:
        c.setFillColor(grey)
        c.setFont("NotoSansSC", 10)
        c.drawString(18 * mm, y - 1.5 * mm, label)
        c.setFillColor(ink)
        c.setFont("NotoSansSC", 11.5)
        c.drawString(46 * mm, y - 1.5 * mm, value)
        y -= 9.5 * mm
        c.line(16 * mm, y + 3.5 * mm, WIDTH - 16 * mm, y + 3.5 * mm)
    c.setFont("NotoSansSC", 10)
    c.drawString(18 * mm, 18 * mm, "开票单位（盖章）：吉林市慈善总会")
    c.drawString(18 * mm, 12.5 * mm, "经办人：示例财务")
    c.setStrokeColor(red)
    c.setLineWidth(2.2)
    c.circle(108 * mm, 26 * mm, 15 * mm)
    widget = QrCodeWidget(f"http://127.0.0.1:8080/verify/{'x' * 43}")
    b = widget.getBounds()
    size = 26 * mm
    d = Drawing(size, size, transform=[size / (b[2] - b[0]), 0, 0, size / (b[3] - b[1]), 0, 0])
    d.add(widget)
    renderPDF.draw(d, c, WIDTH - 47 * mm, 14 * mm)
    c.showPage()
    c.save()
    return buf.getvalue()


def main():
    font, n = sys.argv[1], int(sys.argv[2])
    pdfmetrics.registerFont(TTFont("NotoSansSC", font))
    receipt(0)  # warm-up: the font is parsed once, as the server does
    started = time.perf_counter()
    size = 0
    for i in range(n):
        size = len(receipt(i + 1))
    seconds = time.perf_counter() - started
    print(f"reportlab receipts={n} seconds={seconds:.3f} per_receipt_ms={seconds / n * 1000:.2f} bytes={size}")


if __name__ == "__main__":
    main()
