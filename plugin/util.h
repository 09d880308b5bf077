/*
 * util.h - small helpers shared by every module: error buffers and bounded
 * string copies.
 *
 * House rule: a fallible function returns 0 on success and -1 on failure,
 * after writing one lower-case sentence into the caller's error buffer
 * (no trailing newline, no "error:" prefix).  Only main.c turns such a
 * message into an UNKNOWN status line.
 */
#ifndef ASYNC_LEAK_UTIL_H
#define ASYNC_LEAK_UTIL_H

#include <stddef.h>

#define ERRBUF_SIZE 512

/*
 * Formats a message into err (when err is not NULL and errlen > 0) and
 * returns -1, so that callers can write `return errorf(err, len, ...)`.
 */
int errorf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Copies src into dst[size] with a terminating NUL.  Returns 0, or -1 when
 * src does not fit (dst then holds a truncated copy and must not be used).
 */
int copy_str(char *dst, size_t size, const char *src);

/*
 * Copies len bytes of a counted, possibly unterminated buffer (an SNMP
 * OCTET STRING) into dst[size] and terminates it.  Embedded NULs and bytes
 * that are not printable ASCII become '?'.  Returns 0, or -1 when the
 * value does not fit (dst then holds the first size - 1 bytes).
 */
int copy_counted(char *dst, size_t size, const unsigned char *src, size_t len);

/*
 * Quotes untrusted text (len bytes of s) for a message: copy_counted into
 * dst[size], and when it does not fit the copy ends in "...".  Returns dst.
 */
const char *quote_text(char *dst, size_t size, const char *s, size_t len);

/* Case-insensitive ASCII comparison of two NUL-terminated strings. */
int ascii_casecmp(const char *a, const char *b);

/* The value of one hex digit, either case; -1 for any other character. */
int hex_digit(char c);

/* Removes leading and trailing white space in place; returns s. */
char *trim(char *s);

#endif
