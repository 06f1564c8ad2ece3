/* Labels and small pieces the examination and job pages share. */
#include <string.h>

#include "console/exam.h"
#include "examine/overview.h"

struct label {
  const char *code;
  const char *label_id;
  const char *label_en;
};

static const struct label outcome_labels[] = {
  {"ok", "Menjawab", "Answered"},
  {"unreachable", "Tidak dapat dijangkau", "Unreachable"},
  {"timeout", "Waktu habis", "Timed out"},
  {"http-error", "Menjawab dengan galat", "Answered with an error"},
  {"refused", "Ditolak penjaga alamat", "Rejected by the address guard"},
  {"not-examinable", "Tidak dapat diperiksa daring",
   "Not examinable online"},
  {NULL, NULL, NULL},
};

static const struct label state_labels[] = {
  {"queued", "Menunggu", "Queued"},
  {"running", "Berjalan", "Running"},
  {"done", "Selesai", "Done"},
  {"failed", "Gagal", "Failed"},
  {NULL, NULL, NULL},
};

static const char *
label_of(struct http_request *rq, const struct label *table,
         const char *code)
{
  if (code == NULL)
    return "-";
  for (const struct label *l = table; l->code != NULL; l++)
    if (strcmp(l->code, code) == 0)
      return tr(rq, l->label_id, l->label_en);
  return code;
}

const char *
console_outcome_label(struct http_request *rq, const char *outcome)
{
  return label_of(rq, outcome_labels, outcome);
}

const char *
console_job_state_label(struct http_request *rq, const char *state)
{
  return label_of(rq, state_labels, state);
}

void
console_grade_tag(struct http_request *rq, struct buf *out, const char *grade)
{
  if (grade == NULL || grade[0] == '\0') {
    html_printf(out, "<span class=\"tag\">%s</span>",
                tr(rq, "tanpa nilai", "not graded"));
    return;
  }
  /* Grades D+ and worse are marked like a disabled account's tag. */
  bool low = grade[0] == 'D' || grade[0] == 'E' || grade[0] == 'F';
  html_printf(out, "<span class=\"tag grade%s\">%s</span>",
              low ? " off" : "", grade);
}

void
console_job_progress(struct http_request *rq, struct buf *out,
                     const struct job *j)
{
  const char *label = tr(rq, "Progres", "Progress");
  if (j->progress_total <= 0) {
    html_printf(out, "<progress aria-label=\"%s\">%s</progress>", label,
                tr(rq, "belum diketahui", "not known yet"));
    return;
  }
  long long done = j->progress_done < 0 ? 0 : j->progress_done;
  long long total = j->progress_total;
  if (done > total)
    done = total;
  html_printf(out, "<progress max=\"%lld\" value=\"%lld\" aria-label=\"%s\">"
              "%lld / %lld</progress> %lld / %lld", total, done, label, done,
              total, done, total);
}

void
console_action_tags(struct http_request *rq, struct buf *out,
                    unsigned actions)
{
  for (unsigned bit = 1; bit < (1u << EXAM_ACTION_KINDS); bit <<= 1)
    if (actions & bit)
      html_printf(out, "<span class=\"tag off\">%s</span> ",
                  exam_action_label(bit, rq->lang));
}
