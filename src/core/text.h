/* Small text helpers shared across layers. */
#ifndef SIMPUL_CORE_TEXT_H
#define SIMPUL_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Returns the length (1 to 4) of the valid UTF-8 sequence at `s`, which
 * has `n` bytes left, or 0 when the bytes there are not one: overlong
 * forms, surrogates and code points above U+10FFFF are invalid. */
size_t text_utf8_sequence(const unsigned char *s, size_t n);

/* Replaces, in place, every byte that does not begin a valid UTF-8
 * sequence and every control character other than tab with '?', so that
 * text from the network is safe for JSON, logs and terminals. NULL is
 * ignored. */
void text_make_printable(char *s);

/* Returns the code point of the `len`-byte UTF-8 sequence at `s` (one
 * that text_utf8_sequence accepted) when it is a C1 control or an
 * invisible format character that can disguise text: bidirectional
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the
 * marks U+200E, U+200F and U+061C, zero-width space U+200B, word joiner
 * and invisible operators (U+2060-U+2064), U+180E and U+FEFF. Returns 0
 * otherwise. Zero-width (non-)joiners are not listed: some scripts and
 * emoji need them. */
uint32_t text_invisible_char(const unsigned char *s, size_t len);

#endif
