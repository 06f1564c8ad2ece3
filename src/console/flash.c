/* The message shown after a form is saved. A save redirects (303) to the
 * record's page, so the notes of normalisation ("https:// was added to the
 * URL") travel to that page in a cookie that lives two minutes and is
 * cleared once shown. The cookie contains plain text only, and the page
 * escapes it like any other value, so a forged cookie can only show text
 * to the person who forged it. */
#include <sodium.h>
#include <string.h>

#include "api/params.h"
#include "console/console.h"

#define FLASH_COOKIE "simpul_notes"
#define FLASH_MAX_TEXT 2400       /* bytes of note text; keeps the cookie
                                     under the 4 KB browsers accept */
#define FLASH_MAX_AGE 120         /* seconds */

static void
set_cookie(struct http_request *rq, struct http_response *rs,
           const char *value, int max_age)
{
  struct buf header;
  buf_init(&header, 4096);
  buf_printf(&header, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
             FLASH_COOKIE, value, max_age, rq->tls ? "; Secure" : "");
  if (!header.too_big)
    http_add_header(rs, "Set-Cookie", buf_str(&header));
  buf_free(&header);
}

void
console_flash_set(const struct record_kind *k, struct http_request *rq,
                  struct http_response *rs, const struct catalog_check *check)
{
  char text[FLASH_MAX_TEXT + 1];
  size_t used = 0;

  for (size_t i = 0; i < check->note_count; i++) {
    const struct catalog_note *n = &check->notes[i];
    const struct field_desc *f = field_find(k->fields, *k->field_count,
                                            n->field);
    int len = snprintf(text + used, sizeof text - used, "%s: %s\n",
                       f ? tr(rq, f->label_id, f->label_en) : n->field,
                       tr(rq, n->text_id, n->text_en));
    if (len < 0 || (size_t)len >= sizeof text - used)
      break;                      /* the notes that fit are kept */
    used += (size_t)len;
  }
  text[used] = '\0';
  if (used == 0) {
    set_cookie(rq, rs, "", 0);
    return;
  }

  char encoded[sodium_base64_ENCODED_LEN(FLASH_MAX_TEXT,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, (const unsigned char *)text,
                    used, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  set_cookie(rq, rs, encoded, FLASH_MAX_AGE);
}

/* Decodes the notes cookie into `text`; false when absent or not valid. */
static bool
read_notes(const struct http_request *rq, char *text, size_t len)
{
  const char *cookie = http_cookie(rq, FLASH_COOKIE);
  size_t used = 0;
  if (cookie == NULL || cookie[0] == '\0' ||
      sodium_base642bin((unsigned char *)text, len - 1, cookie,
                        strlen(cookie), NULL, &used, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return false;
  text[used] = '\0';
  return params_text_ok(text);
}

void
console_flash_show(struct http_request *rq, struct http_response *rs)
{
  const char *saved = http_query(rq, "saved");
  if (saved == NULL)
    return;

  struct buf *out = &rs->body;
  html_printf(out, "<div class=\"flash\" role=\"status\"><p>%s</p>",
              strcmp(saved, "0") == 0
                  ? tr(rq, "Tersimpan; tidak ada isian yang berubah.",
                       "Saved; no field changed.")
                  : tr(rq, "Perubahan tersimpan.", "The changes are saved."));

  char text[FLASH_MAX_TEXT + 1];
  if (read_notes(rq, text, sizeof text)) {
    html_printf(out, "<p>%s</p><ul class=\"notes\">",
                tr(rq, "Beberapa isian dirapikan:",
                   "Some values were normalised:"));
    char *line = text;
    while (line != NULL && *line != '\0') {
      char *nl = strchr(line, '\n');
      if (nl != NULL)
        *nl = '\0';
      html_printf(out, "<li>%s</li>", line);
      line = nl ? nl + 1 : NULL;
    }
    html_raw(out, "</ul>");
    set_cookie(rq, rs, "", 0);
  }
  html_raw(out, "</div>\n");
}
