#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct sp_error_info error_table[SP_ERR__COUNT] = {
  [SP_OK] = {"ok", 200, "Berhasil.", "Success."},
  [SP_ERR_BAD_REQUEST] = {"bad_request", 400, "Permintaan tidak valid.",
                          "The request is invalid."},
  [SP_ERR_BAD_JSON] = {"bad_json", 400, "Isi permintaan bukan JSON yang valid.",
                       "The request body is not valid JSON."},
  [SP_ERR_JSON_TOO_DEEP] = {"json_too_deep", 400,
                            "JSON bersarang terlalu dalam.",
                            "The JSON is nested too deeply."},
  [SP_ERR_TOO_LARGE] = {"too_large", 413, "Isi permintaan terlalu besar.",
                        "The request body is too large."},
  [SP_ERR_UNSUPPORTED_MEDIA] = {"unsupported_media_type", 415,
                                "Jenis isi tidak didukung.",
                                "The content type is not supported."},
  [SP_ERR_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405,
                                 "Metode tidak diizinkan.",
                                 "The method is not allowed."},
  [SP_ERR_NOT_FOUND] = {"not_found", 404, "Tidak ditemukan.", "Not found."},
  [SP_ERR_REQUIRED] = {"required", 422, "Kolom wajib diisi.",
                       "The field is required."},
  [SP_ERR_TOO_LONG] = {"too_long", 422, "Isian terlalu panjang.",
                       "The value is too long."},
  [SP_ERR_BAD_CODE] = {"invalid_code", 422, "Kode tidak valid.",
                       "The code is invalid."},
  [SP_ERR_BAD_UTF8] = {"invalid_utf8", 422, "Teks bukan UTF-8 yang valid.",
                       "The text is not valid UTF-8."},
  [SP_ERR_CONTROL_CHAR] = {"invalid_text", 422,
                          "Teks memuat karakter kendali.",
                          "The text contains a control character."},
  [SP_ERR_BAD_CHOICE] = {"invalid_choice", 422, "Pilihan tidak dikenal.",
                         "The value is not one of the allowed choices."},
  [SP_ERR_BAD_URL] = {"invalid_url", 422, "URL tidak valid.",
                      "The URL is invalid."},
  [SP_ERR_BAD_PACKAGE] = {"invalid_package", 422,
                          "Nama paket Android tidak valid.",
                          "The Android package name is invalid."},
  [SP_ERR_BAD_YEAR] = {"invalid_year", 422, "Tahun tidak valid.",
                       "The year is invalid."},
  [SP_ERR_BAD_YEAR_ORDER] = {"invalid_year_order", 422,
                             "Tahun pembaruan sebelum tahun peluncuran.",
                             "The last update is before the launch."},
  [SP_ERR_UNKNOWN_AGENCY] = {"unknown_agency", 422, "Perangkat daerah tidak dikenal.",
                             "The agency is unknown."},
  [SP_ERR_UNKNOWN_APP] = {"unknown_app", 422, "Aplikasi tidak dikenal.",
                          "The application is unknown."},
  [SP_ERR_PARENT_CYCLE] = {"parent_cycle", 422,
                           "Induk perangkat daerah membentuk siklus.",
                           "The agency parents form a cycle."},
  [SP_ERR_MERGED_INTO] = {"invalid_merged_into", 422,
                          "Isian 'digabung ke' tidak sesuai dengan status.",
                          "The merged-into value does not match the status."},
  [SP_ERR_DUPLICATE] = {"duplicate", 409, "Kode sudah ada.",
                        "The code already exists."},
  [SP_ERR_UNKNOWN_FIELD] = {"unknown_field", 422, "Kolom tidak dikenal.",
                            "The field is unknown."},
  [SP_ERR_BAD_ROLE] = {"invalid_role", 422, "Peran tidak dikenal.",
                       "The role is unknown."},
  [SP_ERR_WEAK_PASSWORD] = {"weak_password", 422, "Kata sandi terlalu lemah.",
                            "The password is too weak."},
  [SP_ERR_CSV_QUOTE] = {"csv_quote", 422, "Tanda kutip CSV tidak seimbang.",
                        "A CSV quote is malformed or unterminated."},
  [SP_ERR_CSV_FIELD_COUNT] = {"csv_field_count", 422,
                              "Jumlah kolom baris CSV tidak sesuai header.",
                              "The CSV row has a different number of fields than the header."},
  [SP_ERR_CSV_BINARY] = {"csv_binary", 422, "Berkas bukan teks CSV.",
                         "The file is not CSV text."},
  [SP_ERR_CSV_EMPTY] = {"csv_empty", 422, "Berkas CSV kosong.",
                        "The CSV file is empty."},
  [SP_ERR_CSV_BOM] = {"csv_bom", 422,
                      "Tanda urutan byte (BOM) di tengah berkas CSV.",
                      "A byte order mark (BOM) is in the middle of the CSV file."},
  [SP_ERR_CSV_HEADER] = {"csv_header", 422, "Header CSV tidak dikenali.",
                         "The CSV header is not recognised."},
  [SP_ERR_UNAUTHORIZED] = {"unauthorized", 401, "Perlu masuk terlebih dahulu.",
                           "Authentication is required."},
  [SP_ERR_BAD_LOGIN] = {"bad_login", 401, "Nama pengguna atau kata sandi salah.",
                        "The user name or password is wrong."},
  [SP_ERR_FORBIDDEN] = {"forbidden", 403, "Anda tidak berhak melakukan ini.",
                        "You are not allowed to do this."},
  [SP_ERR_CSRF] = {"csrf", 403, "Token formulir tidak valid; muat ulang halaman.",
                   "The form token is invalid; reload the page."},
  [SP_ERR_THROTTLED] = {"throttled", 429,
                        "Terlalu banyak percobaan; coba lagi nanti.",
                        "Too many attempts; try again later."},
  [SP_ERR_CONFLICT] = {"conflict", 409, "Data berubah bersamaan; coba lagi.",
                       "The data changed concurrently; try again."},
  [SP_ERR_PRECONDITION] = {"precondition_failed", 412,
                           "Data sudah diubah orang lain sejak Anda "
                           "membacanya (If-Match tidak cocok); baca lagi, "
                           "lalu kirim ulang perubahan Anda.",
                           "The record was changed since you read it "
                           "(If-Match does not match); read it again, then "
                           "send your change again."},
  [SP_ERR_STORE] = {"store_error", 503,
                    "Penyimpanan data gagal; coba lagi sebentar lagi. Bila "
                    "terus gagal, operator perlu memeriksa penyimpanan data "
                    "(lihat /healthz dan log).",
                    "The data store failed; try again in a moment. If it "
                    "keeps failing, the operator should check the store (see "
                    "/healthz and the log)."},
  [SP_ERR_STORE_BUSY] = {"store_busy", 503, "Penyimpanan data sibuk; coba lagi.",
                         "The data store is busy; try again."},
  [SP_ERR_SCHEMA_OLD] = {"schema_old", 503,
                         "Skema basis data lama; jalankan 'simpul migrate'.",
                         "The database schema is old; run 'simpul migrate'."},
  [SP_ERR_SCHEMA_NEW] = {"schema_new", 503,
                         "Skema basis data lebih baru dari program ini.",
                         "The database schema is newer than this program."},
  [SP_ERR_IO] = {"io_error", 500, "Gagal membaca atau menulis berkas.",
                 "Reading or writing a file failed."},
  [SP_ERR_NOMEM] = {"out_of_memory", 503, "Memori habis.", "Out of memory."},
  [SP_ERR_CONFIG] = {"config_error", 500, "Konfigurasi tidak valid.",
                     "The configuration is invalid."},
  [SP_ERR_INTERNAL] = {"internal_error", 500, "Terjadi kesalahan internal.",
                       "An internal error occurred."},
  [SP_ERR_STORE_NOT_EMPTY] = {"store_not_empty", 409,
                              "Penyimpanan tujuan tidak kosong.",
                              "The target store is not empty."},
  [SP_ERR_COPY_MISMATCH] = {"copy_mismatch", 500,
                            "Salinan berbeda dari sumbernya.",
                            "The copy differs from its source."},
  [SP_ERR_LISTEN] = {"listen_failed", 500,
                     "Server tidak dapat mendengarkan pada alamat dan port "
                     "itu.",
                     "The server cannot listen on that address and port."},
};

const struct sp_error_info *
sp_error_info(enum sp_err err)
{
  if ((int)err < 0 || err >= SP_ERR__COUNT || error_table[err].code == NULL)
    return &error_table[SP_ERR_INTERNAL];
  return &error_table[err];
}

const char *
sp_error_message(enum sp_err err, const char *lang)
{
  const struct sp_error_info *info = sp_error_info(err);
  if (lang != NULL && strcmp(lang, "en") == 0)
    return info->message_en;
  return info->message_id;
}

void
sp_field_error_set(struct sp_field_error *fe, enum sp_err err,
                   const char *field, const char *fmt_id, const char *fmt_en,
                   ...)
{
  va_list ap, ap2;

  fe->err = err;
  snprintf(fe->field, sizeof fe->field, "%s", field ? field : "");
  va_start(ap, fmt_en);
  va_copy(ap2, ap);
  vsnprintf(fe->detail_id, sizeof fe->detail_id, fmt_id, ap);
  vsnprintf(fe->detail_en, sizeof fe->detail_en, fmt_en, ap2);
  va_end(ap2);
  va_end(ap);
}
