/* Unit tests of the CSV reader and cell writer (src/catalog/csv.c). */
#include <stdlib.h>
#include <string.h>

#include "catalog/csv.h"
#include "testlib.h"

/* A reader over a string literal; the string must outlive it. */
static struct csv_reader *
open_text(const char *text)
{
  return csv_reader_memory(text, strlen(text));
}

static enum csv_result
next(struct csv_reader *r, const struct csv_record **rec,
     struct csv_error *err)
{
  memset(err, 0, sizeof *err);
  return csv_read(r, rec, err);
}

TEST(csv_simple_rows)
{
  struct csv_reader *r = open_text("code,name\na,Alpha\nb,Beta\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(rec->count, 2);
  CHECK_STR(rec->fields[0], "code");
  CHECK_INT(rec->line, 1);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "Alpha");
  CHECK_INT(rec->lengths[1], 5);
  CHECK_INT(rec->line, 2);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "b");
  CHECK_INT(next(r, &rec, &err), CSV_END);
  CHECK_INT(next(r, &rec, &err), CSV_END);
  csv_reader_free(r);
}

TEST(csv_quoted_comma_and_doubled_quotes)
{
  struct csv_reader *r =
    open_text("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"\",\"\"\"\"\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "x, y");
  CHECK_STR(rec->fields[1], "say \"hi\"");
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "");
  CHECK_STR(rec->fields[1], "\"");
  csv_reader_free(r);
}

TEST(csv_quoted_newline_keeps_line_numbers)
{
  struct csv_reader *r =
    open_text("a,b\n1,\"two\nlines\"\n2,\"crlf\r\ninside\"\n3,x\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "two\nlines");
  CHECK_INT(rec->line, 2);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "crlf\ninside");
  CHECK_INT(rec->line, 4);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "3");
  CHECK_INT(rec->line, 6);
  csv_reader_free(r);
}

TEST(csv_crlf_line_ends_and_no_final_newline)
{
  struct csv_reader *r = open_text("a,b\r\n1,2\r\n3,4");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "b");
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "2");
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "4");
  CHECK_INT(rec->line, 3);
  CHECK_INT(next(r, &rec, &err), CSV_END);
  csv_reader_free(r);
}

TEST(csv_blank_lines_skipped)
{
  struct csv_reader *r = open_text("\n\r\na,b\n\n1,2\n\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(rec->line, 3);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(rec->line, 5);
  CHECK_INT(next(r, &rec, &err), CSV_END);
  csv_reader_free(r);
}

TEST(csv_bom_at_start_skipped)
{
  struct csv_reader *r = open_text("\xEF\xBB\xBF" "code,name\nx,y\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "code");
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  csv_reader_free(r);
}

TEST(csv_bom_in_middle_rejected)
{
  struct csv_reader *r =
    open_text("code,name\nx,y\n\xEF\xBB\xBF" "code,name\nz,w\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_BOM);
  CHECK_INT(err.line, 3);
  CHECK_INT(err.column, 1);
  CHECK(strstr(err.detail_en, "byte order mark") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "z");
  csv_reader_free(r);
}

TEST(csv_bare_quote_rejected_then_reads_on)
{
  struct csv_reader *r = open_text("a,b,c\n1,ab\"c,3\n4,5,6\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_QUOTE);
  CHECK_INT(err.line, 2);
  CHECK_INT(err.column, 2);
  CHECK(strstr(err.detail_en, "quote inside an unquoted field") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[2], "6");
  csv_reader_free(r);
}

TEST(csv_text_after_closing_quote_rejected)
{
  struct csv_reader *r = open_text("a,b\n\"x\"y,2\n3,4\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_QUOTE);
  CHECK_INT(err.line, 2);
  CHECK_INT(err.column, 1);
  CHECK(strstr(err.detail_en, "after the closing quote") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "3");
  csv_reader_free(r);
}

TEST(csv_unterminated_quote_at_end)
{
  struct csv_reader *r = open_text("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_QUOTE);
  CHECK_INT(err.line, 3);
  CHECK_INT(err.column, 2);
  CHECK(strstr(err.detail_en, "never closed") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_END);
  csv_reader_free(r);
}

TEST(csv_bare_carriage_return_rejected)
{
  struct csv_reader *r = open_text("a,b\n1,x\ry\n2,z\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_QUOTE);
  CHECK_INT(err.column, 2);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "z");
  csv_reader_free(r);
}

TEST(csv_too_many_and_too_few_fields)
{
  struct csv_reader *r = open_text("a,b,c\n1,2,3,4\n1,2\n1,2,3\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_FIELD_COUNT);
  CHECK_INT(err.line, 2);
  CHECK(strstr(err.detail_en, "has 4 fields but the header has 3") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_FIELD_COUNT);
  CHECK_INT(err.line, 3);
  CHECK(strstr(err.detail_en, "has 2 fields but the header has 3") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  csv_reader_free(r);
}

TEST(csv_more_than_max_fields_rejected)
{
  char *text = malloc(4 * (CSV_MAX_FIELDS + 10) + 16);
  size_t n = 0;
  const struct csv_record *rec;
  struct csv_error err;

  n += (size_t)sprintf(text + n, "a\n");
  for (int i = 0; i < CSV_MAX_FIELDS + 5; i++)
    n += (size_t)sprintf(text + n, "%sx", i > 0 ? "," : "");
  n += (size_t)sprintf(text + n, "\nb\n");
  struct csv_reader *r = csv_reader_memory(text, n);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_CSV_FIELD_COUNT);
  CHECK_INT(err.column, CSV_MAX_FIELDS + 1);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "b");
  csv_reader_free(r);
  free(text);
}

/* Builds "a,b\n1,<field of `size` bytes>\n2,ok\n". */
static char *
big_field_text(size_t size, bool quoted, size_t *len)
{
  char *text = malloc(size + 64);
  size_t n = (size_t)sprintf(text, "a,b\n1,%s", quoted ? "\"" : "");
  memset(text + n, 'x', size);
  n += size;
  n += (size_t)sprintf(text + n, "%s\n2,ok\n", quoted ? "\"" : "");
  *len = n;
  return text;
}

TEST(csv_field_over_one_mib_rejected)
{
  size_t len;
  char *text = big_field_text(CSV_MAX_FIELD + 1, true, &len);
  struct csv_reader *r = csv_reader_memory(text, len);
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_BAD_RECORD);
  CHECK_INT(err.err, SP_ERR_TOO_LONG);
  CHECK_INT(err.line, 2);
  CHECK_INT(err.column, 2);
  CHECK(strstr(err.detail_en, "larger than 1048576 bytes") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[1], "ok");
  csv_reader_free(r);
  free(text);
}

TEST(csv_field_of_one_mib_accepted)
{
  size_t len;
  char *text = big_field_text(CSV_MAX_FIELD, false, &len);
  struct csv_reader *r = csv_reader_memory(text, len);
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(rec->lengths[1], CSV_MAX_FIELD);
  CHECK_INT(strlen(rec->fields[1]), CSV_MAX_FIELD);
  csv_reader_free(r);
  free(text);
}

TEST(csv_nul_byte_is_binary)
{
  static const char text[] = "a,b\n1,x\0y\n";
  struct csv_reader *r = csv_reader_memory(text, sizeof text - 1);
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_FATAL);
  CHECK_INT(err.err, SP_ERR_CSV_BINARY);
  CHECK(strstr(err.detail_en, "not CSV text") != NULL);
  CHECK(strstr(err.detail_en, "offset 7") != NULL);
  CHECK_INT(next(r, &rec, &err), CSV_END);
  csv_reader_free(r);
}

/* A NUL byte past the first read block is found while reading rows. */
TEST(csv_nul_byte_after_first_block)
{
  FILE *f = tmpfile();
  const struct csv_record *rec;
  struct csv_error err;
  size_t rows = 0;

  fprintf(f, "a,b\n");
  for (int i = 0; i < 10000; i++)
    fprintf(f, "%d,some text\n", i);
  fputs("x,bad", f);
  fputc('\0', f);
  fputs("\n", f);
  rewind(f);
  struct csv_reader *r = csv_reader_file(f);
  enum csv_result res;
  while ((res = next(r, &rec, &err)) == CSV_RECORD)
    rows++;
  CHECK_INT(res, CSV_FATAL);
  CHECK_INT(rows, 10001);
  CHECK_INT(err.err, SP_ERR_CSV_BINARY);
  CHECK_INT(err.line, 10002);
  csv_reader_free(r);
  fclose(f);
}

TEST(csv_binary_file_rejected)
{
  /* The first bytes of a PNG image. */
  static const unsigned char png[] = {0x89, 'P',  'N',  'G',  0x0D, 0x0A,
                                      0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D};
  struct csv_reader *r = csv_reader_memory(png, sizeof png);
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_FATAL);
  CHECK_INT(err.err, SP_ERR_CSV_BINARY);
  csv_reader_free(r);
}

TEST(csv_control_character_in_header_is_binary)
{
  struct csv_reader *r = open_text("a\x01,b\n1,2\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_FATAL);
  CHECK_INT(err.err, SP_ERR_CSV_BINARY);
  csv_reader_free(r);
}

TEST(csv_empty_inputs)
{
  static const char *const empty[] = {"", "\xEF\xBB\xBF", "\n\n", "\r\n"};
  const struct csv_record *rec;
  struct csv_error err;

  for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
    struct csv_reader *r = open_text(empty[i]);
    CHECK_INT(next(r, &rec, &err), CSV_FATAL);
    CHECK_INT(err.err, SP_ERR_CSV_EMPTY);
    csv_reader_free(r);
  }
  struct csv_reader *r = csv_reader_memory(NULL, 0);
  CHECK_INT(next(r, &rec, &err), CSV_FATAL);
  CHECK_INT(err.err, SP_ERR_CSV_EMPTY);
  csv_reader_free(r);
}

TEST(csv_invalid_utf8_passed_through)
{
  struct csv_reader *r = open_text("a,b\n\xC3\x28,\xFF\n");
  const struct csv_record *rec;
  struct csv_error err;

  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_STR(rec->fields[0], "\xC3\x28");
  CHECK_STR(rec->fields[1], "\xFF");
  csv_reader_free(r);
}

TEST(csv_streams_large_file)
{
  FILE *f = tmpfile();
  const struct csv_record *rec;
  struct csv_error err;
  size_t rows = 0, bad = 0;

  fprintf(f, "code,text\n");
  for (int i = 0; i < 100000; i++)
    fprintf(f, "app-%d,\"line one, with comma\nline \"\"two\"\"\"\n", i);
  rewind(f);
  struct csv_reader *r = csv_reader_file(f);
  enum csv_result res;
  size_t last_line = 0;
  while ((res = next(r, &rec, &err)) != CSV_END && res != CSV_FATAL) {
    if (res == CSV_BAD_RECORD) {
      bad++;
      continue;
    }
    rows++;
    last_line = rec->line;
    if (rows == 50001) {
      CHECK_STR(rec->fields[0], "app-49999");
      CHECK_STR(rec->fields[1], "line one, with comma\nline \"two\"");
    }
  }
  CHECK_INT(res, CSV_END);
  CHECK_INT(rows, 100001);
  CHECK_INT(bad, 0);
  CHECK_INT(last_line, 2 * 99999 + 2);
  CHECK(csv_reader_offset(r) > 3000000);
  csv_reader_free(r);
  fclose(f);
}

TEST(csv_guard_rules)
{
  CHECK(csv_needs_guard("=SUM(A1)"));
  CHECK(csv_needs_guard("+1"));
  CHECK(csv_needs_guard("-x"));
  CHECK(csv_needs_guard("@cmd"));
  CHECK(csv_needs_guard("\tx"));
  CHECK(csv_needs_guard("\rx"));
  CHECK(csv_needs_guard("'=x"));
  CHECK(!csv_needs_guard("plain"));
  CHECK(!csv_needs_guard("'quoted"));
  CHECK(!csv_needs_guard(""));
  CHECK(!csv_needs_guard(NULL));

  char a[] = "'=SUM(A1)", b[] = "''=x", c[] = "'plain", d[] = "=raw";
  csv_remove_guard(a);
  csv_remove_guard(b);
  csv_remove_guard(c);
  csv_remove_guard(d);
  CHECK_STR(a, "=SUM(A1)");
  CHECK_STR(b, "'=x");
  CHECK_STR(c, "'plain");
  CHECK_STR(d, "=raw");
}

/* Writes each value as a cell of one record, reads it back, removes the
 * guard and compares. */
TEST(csv_write_cell_round_trip)
{
  static const char *const values[] = {
    "plain", "with, comma", "say \"hi\"", "two\nlines", "=HYPERLINK(\"x\")",
    "'=x", "'quoted", "-5", "@SUM", " padded ", "", "+62 812",
  };
  size_t n = sizeof values / sizeof values[0];
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);

  for (size_t i = 0; i < n; i++) {
    CHECK(csv_write_cell(out, values[i], true));
    fputc(i + 1 < n ? ',' : '\n', out);
  }
  fclose(out);
  CHECK(strstr(text, "\"'=HYPERLINK(\"\"x\"\")\"") != NULL);
  CHECK(strstr(text, ",'-5,") != NULL);

  struct csv_reader *r = csv_reader_memory(text, len);
  const struct csv_record *rec;
  struct csv_error err;
  CHECK_INT(next(r, &rec, &err), CSV_RECORD);
  CHECK_INT(rec->count, n);
  for (size_t i = 0; i < n && i < rec->count; i++) {
    char *copy = strdup(rec->fields[i]);
    csv_remove_guard(copy);
    CHECK_STR(copy, values[i]);
    free(copy);
  }
  csv_reader_free(r);
  free(text);
}

int
main(void)
{
  RUN(csv_simple_rows);
  RUN(csv_quoted_comma_and_doubled_quotes);
  RUN(csv_quoted_newline_keeps_line_numbers);
  RUN(csv_crlf_line_ends_and_no_final_newline);
  RUN(csv_blank_lines_skipped);
  RUN(csv_bom_at_start_skipped);
  RUN(csv_bom_in_middle_rejected);
  RUN(csv_bare_quote_rejected_then_reads_on);
  RUN(csv_text_after_closing_quote_rejected);
  RUN(csv_unterminated_quote_at_end);
  RUN(csv_bare_carriage_return_rejected);
  RUN(csv_too_many_and_too_few_fields);
  RUN(csv_more_than_max_fields_rejected);
  RUN(csv_field_over_one_mib_rejected);
  RUN(csv_field_of_one_mib_accepted);
  RUN(csv_nul_byte_is_binary);
  RUN(csv_nul_byte_after_first_block);
  RUN(csv_binary_file_rejected);
  RUN(csv_control_character_in_header_is_binary);
  RUN(csv_empty_inputs);
  RUN(csv_invalid_utf8_passed_through);
  RUN(csv_streams_large_file);
  RUN(csv_guard_rules);
  RUN(csv_write_cell_round_trip);
  return TEST_EXIT();
}
