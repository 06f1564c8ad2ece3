/* Helpers shared by the files of account/ only. */
#ifndef SIMPUL_ACCOUNT_INTERNAL_H
#define SIMPUL_ACCOUNT_INTERNAL_H

/* Counts the code points of `s` when it is valid UTF-8 (no overlong forms,
 * surrogates or values above U+10FFFF); returns -1 otherwise. */
long account_utf8_count(const char *s);

#endif
