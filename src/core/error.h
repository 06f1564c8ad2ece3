/* One error enum for everything a user can see fail: each value has a
 * stable code string, an HTTP status and a message in Indonesian and
 * English. The API, the console and the command line all report errors
 * through this table, so the same failure reads the same everywhere. */
#ifndef SIMPUL_CORE_ERROR_H
#define SIMPUL_CORE_ERROR_H

enum sp_err {
  SP_OK = 0,
  /* request and input shape */
  SP_ERR_BAD_REQUEST,
  SP_ERR_BAD_JSON,
  SP_ERR_JSON_TOO_DEEP,
  SP_ERR_TOO_LARGE,
  SP_ERR_UNSUPPORTED_MEDIA,
  SP_ERR_METHOD_NOT_ALLOWED,
  SP_ERR_NOT_FOUND,
  /* field validation */
  SP_ERR_REQUIRED,
  SP_ERR_TOO_LONG,
  SP_ERR_BAD_CODE,
  SP_ERR_BAD_UTF8,
  SP_ERR_CONTROL_CHAR,
  SP_ERR_BAD_CHOICE,
  SP_ERR_BAD_URL,
  SP_ERR_BAD_PACKAGE,
  SP_ERR_BAD_YEAR,
  SP_ERR_BAD_YEAR_ORDER,
  SP_ERR_UNKNOWN_AGENCY,
  SP_ERR_UNKNOWN_APP,
  SP_ERR_PARENT_CYCLE,
  SP_ERR_MERGED_INTO,
  SP_ERR_DUPLICATE,
  SP_ERR_UNKNOWN_FIELD,
  SP_ERR_BAD_ROLE,
  SP_ERR_WEAK_PASSWORD,
  /* CSV structure */
  SP_ERR_CSV_QUOTE,
  SP_ERR_CSV_FIELD_COUNT,
  SP_ERR_CSV_BINARY,
  SP_ERR_CSV_EMPTY,
  SP_ERR_CSV_BOM,
  SP_ERR_CSV_HEADER,
  /* access */
  SP_ERR_UNAUTHORIZED,
  SP_ERR_BAD_LOGIN,
  SP_ERR_FORBIDDEN,
  SP_ERR_CSRF,
  SP_ERR_THROTTLED,
  SP_ERR_CONFLICT,
  SP_ERR_PRECONDITION,      /* If-Match names another version: HTTP 412 */
  /* the system */
  SP_ERR_STORE,
  SP_ERR_STORE_BUSY,
  SP_ERR_SCHEMA_OLD,
  SP_ERR_SCHEMA_NEW,
  SP_ERR_IO,
  SP_ERR_NOMEM,
  SP_ERR_CONFIG,
  SP_ERR_INTERNAL,
  SP_ERR_STORE_NOT_EMPTY,   /* copy-store: the target already has rows */
  SP_ERR_COPY_MISMATCH,     /* copy-store: rows or checksums differ */
  SP_ERR_LISTEN,            /* serve: the address and port cannot be bound */
  SP_ERR__COUNT
};

struct sp_error_info {
  const char *code;  /* stable, snake_case, part of the API contract */
  int http_status;
  const char *message_id;
  const char *message_en;
};

/* Returns the table row of `err`; never NULL (out-of-range values map to
 * SP_ERR_INTERNAL). */
const struct sp_error_info *sp_error_info(enum sp_err err);

/* Returns the message of `err` in `lang` ("id" or "en"; anything else is
 * treated as "id"). */
const char *sp_error_message(enum sp_err err, const char *lang);

/* A failure about one field of one record: the offending value and the fix,
 * written for a person in both languages. Details are plain text, never
 * HTML; the value in them is shortened to at most 80 bytes. */
struct sp_field_error {
  enum sp_err err;
  char field[48];
  char detail_id[384];
  char detail_en[384];
};

/* Fills `fe` with `err` on `field`; the two details are printf formats
 * (Indonesian first) that take the same arguments. */
void sp_field_error_set(struct sp_field_error *fe, enum sp_err err,
                        const char *field, const char *fmt_id,
                        const char *fmt_en, ...);

#endif
