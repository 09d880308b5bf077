/*
 * pngpix - reads a PNG with cairo and answers questions about its pixels,
 * for tests/integration/t_plot.sh:
 *
 *   pngpix FILE                    "WIDTH HEIGHT"
 *   pngpix FILE at X Y             "RRGGBB" of that pixel
 *   pngpix FILE count RRGGBB [X0 Y0 X1 Y1]
 *                                  how many pixels have exactly that
 *                                  colour (in the box, ends inclusive)
 *
 * Exit 0, or 1 with a message on stderr (unreadable file, bad argument).
 */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned pixel(const unsigned char *data, int stride, int x, int y)
{
	const unsigned char *p = data + (size_t)y * (size_t)stride + (size_t)x * 4;
	unsigned v;

	memcpy(&v, p, sizeof v);	/* native-endian 0xAARRGGBB (RGB24/ARGB32) */
	return v & 0xffffff;
}

int main(int argc, char **argv)
{
	cairo_surface_t *s;
	const unsigned char *data;
	int w, h, stride;

	if (argc < 2) {
		fputs("usage: pngpix FILE [at X Y | count RRGGBB [X0 Y0 X1 Y1]]\n", stderr);
		return 1;
	}
	s = cairo_image_surface_create_from_png(argv[1]);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "pngpix: %s: %s\n", argv[1],
			cairo_status_to_string(cairo_surface_status(s)));
		return 1;
	}
	cairo_surface_flush(s);
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	stride = cairo_image_surface_get_stride(s);
	data = cairo_image_surface_get_data(s);
	if (argc == 2) {
		printf("%d %d\n", w, h);
	} else if (argc == 5 && strcmp(argv[2], "at") == 0) {
		int x = atoi(argv[3]), y = atoi(argv[4]);

		if (x < 0 || y < 0 || x >= w || y >= h) {
			fprintf(stderr, "pngpix: %d,%d is outside %dx%d\n", x, y, w, h);
			return 1;
		}
		printf("%06x\n", pixel(data, stride, x, y));
	} else if ((argc == 4 || argc == 8) && strcmp(argv[2], "count") == 0) {
		unsigned want = (unsigned)strtoul(argv[3], NULL, 16);
		int x0 = 0, y0 = 0, x1 = w - 1, y1 = h - 1;
		long n = 0;

		if (argc == 8) {
			x0 = atoi(argv[4]);
			y0 = atoi(argv[5]);
			x1 = atoi(argv[6]);
			y1 = atoi(argv[7]);
		}
		for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < h; y++)
			for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < w; x++)
				n += pixel(data, stride, x, y) == want;
		printf("%ld\n", n);
	} else {
		fputs("pngpix: bad arguments\n", stderr);
		return 1;
	}
	cairo_surface_destroy(s);
	return 0;
}
