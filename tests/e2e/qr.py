"""Reading a QR code from a PNG file, as a phone's camera would: the pixels decoded here (a PNG
reader of the standard library's zlib, since the project has no image library), the code found
and read by zxing-cpp."""

import struct
import zlib

import zxingcpp

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Samples per pixel of each PNG colour type: grey, RGB, palette, grey + alpha, RGBA.
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_grey(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and one grey byte per pixel of a non-interlaced PNG."""
    if data[:8] != PNG_SIGNATURE:
        raise ValueError("not a PNG file")
    position, compressed, palette = 8, b"", None
    width = height = depth = colour = interlace = 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = [tuple(body[i : i + 3]) for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            compressed += body
    if interlace:
        raise ValueError("interlaced PNG files are not read here")
    bits = depth * CHANNELS[colour]
    stride = (width * bits + 7) // 8
    step = max(1, bits // 8)
    raw = zlib.decompress(compressed)
    lines, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up = previous[x]
            corner = previous[x - step] if x >= step else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                a, b, c = abs(guess - left), abs(guess - up), abs(guess - corner)
                line[x] = (line[x] + (left if a <= b and a <= c else up if b <= c else corner)) & 255
        lines.append(line)
        previous = line
    grey = bytearray()
    top = (1 << depth) - 1
    for line in lines:
        for x in range(width):
            if depth < 8:
                bit = x * depth
                samples = [(line[bit // 8] >> (8 - depth - bit % 8)) & top]
            else:
                samples = list(line[x * step : (x + 1) * step : depth // 8])
            if colour == 3:
                grey.append(sum(palette[samples[0]]) // 3)
            elif colour in (0, 4):
                grey.append(samples[0] * 255 // top)
            else:
                grey.append(sum(samples[:3]) // 3)
    return width, height, bytes(grey)


def qr_text(png: bytes) -> str:
    """The text of the one QR code in the PNG image `png`."""
    width, height, grey = png_grey(png)
    found = zxingcpp.read_barcodes(memoryview(grey).cast("B", (height, width)))
    codes = [code.text for code in found if code.format == zxingcpp.BarcodeFormat.QRCode]
    if len(codes) != 1:
        raise ValueError(f"expected one QR code, found {len(codes)}")
    return codes[0]
