/* fakewa-reachout.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fakewa-reachout.h"
#include "wa-crypto.h"

/*
 * What the real server is understood to do with a 1:1 message (WA-FIDELITY
 * §1.10): from an account that must show a conversation, to someone it
 * has not reached before, the message needs the token the recipient
 * issued to it, still inside its buckets, or the cstoken its NCT salt
 * gives for the recipient's LID; otherwise the ack says 463 and nothing
 * is delivered. Under a time-lock every such message is refused, tokens
 * or not. A token on a peer message is malformed (479).
 */

/* WA Web's default token life: weeks, four buckets of them. */
#define BUCKET_S  (7 * 24 * 60 * 60)
#define N_BUCKETS 4
#define TOKEN_LEN 24

typedef struct
{
  GBytes *token;
  gint64  t;
} Issued;

typedef struct
{
  gint64  until;
  char   *kind;
} Timelock;

struct _FakewaReachout
{
  gint64      offset;        /* seconds the clock was moved on */
  GHashTable *issued;        /* "issuer holder" -> GPtrArray of Issued, oldest first */
  GHashTable *chats;         /* "sender recipient": the sender reached the recipient before */
  GHashTable *restricted;    /* phones that need a token for a new chat */
  GHashTable *salts;         /* phone -> GBytes */
  GHashTable *auto_issuers;  /* phones whose phone issues tokens as it writes */
  GHashTable *timelocks;     /* phone -> Timelock */
  GHashTable *caps;          /* phone -> Cap */
};

typedef struct
{
  guint   total;
  guint   used;
  gint64  cycle_end;
} Cap;

static void
issued_free (Issued *issued)
{
  g_bytes_unref (issued->token);
  g_free (issued);
}

static void
timelock_free (Timelock *timelock)
{
  g_free (timelock->kind);
  g_free (timelock);
}

FakewaReachout *
fakewa_reachout_new (void)
{
  FakewaReachout *self = g_new0 (FakewaReachout, 1);

  self->issued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->chats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->restricted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->salts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  self->auto_issuers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->timelocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) timelock_free);
  self->caps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
fakewa_reachout_free (FakewaReachout *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->issued);
  g_hash_table_unref (self->chats);
  g_hash_table_unref (self->restricted);
  g_hash_table_unref (self->salts);
  g_hash_table_unref (self->auto_issuers);
  g_hash_table_unref (self->timelocks);
  g_hash_table_unref (self->caps);
  g_free (self);
}

gint64
fakewa_reachout_now (FakewaReachout *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->offset;
}

void
fakewa_reachout_advance (FakewaReachout *self,
                         gint64          seconds)
{
  self->offset += seconds;
}

static void
set_flag (GHashTable *set,
          const char *phone,
          gboolean    on)
{
  if (on)
    g_hash_table_add (set, g_strdup (phone));
  else
    g_hash_table_remove (set, phone);
}

void
fakewa_reachout_require_tokens (FakewaReachout *self,
                                const char     *phone,
                                gboolean        required)
{
  set_flag (self->restricted, phone, required);
}

void
fakewa_reachout_set_salt (FakewaReachout *self,
                          const char     *phone,
                          GBytes         *salt)
{
  if (salt != NULL)
    g_hash_table_insert (self->salts, g_strdup (phone), g_bytes_ref (salt));
  else
    g_hash_table_remove (self->salts, phone);
}

void
fakewa_reachout_set_auto_issue (FakewaReachout *self,
                                const char     *phone,
                                gboolean        auto_issue)
{
  set_flag (self->auto_issuers, phone, auto_issue);
}

gboolean
fakewa_reachout_get_auto_issue (FakewaReachout *self,
                                const char     *phone)
{
  return g_hash_table_contains (self->auto_issuers, phone);
}

void
fakewa_reachout_set_timelock (FakewaReachout *self,
                              const char     *phone,
                              gint64          until,
                              const char     *kind)
{
  Timelock *timelock;

  if (until <= fakewa_reachout_now (self))
    {
      g_hash_table_remove (self->timelocks, phone);
      return;
    }
  timelock = g_new0 (Timelock, 1);
  timelock->until = until;
  timelock->kind = g_strdup (kind != NULL ? kind : "WEB_COMPANION_ONLY");
  g_hash_table_insert (self->timelocks, g_strdup (phone), timelock);
}

static Timelock *
active_timelock (FakewaReachout *self,
                 const char     *phone)
{
  Timelock *timelock = g_hash_table_lookup (self->timelocks, phone);

  return timelock != NULL && timelock->until > fakewa_reachout_now (self) ? timelock : NULL;
}

/* The answer to the time-lock query, or the body of its push, as MEX
 * JSON: {"data":{"<member>":{"is_active":…,…}}}. */
char *
fakewa_reachout_timelock_json (FakewaReachout *self,
                               const char     *phone,
                               const char     *member)
{
  Timelock *timelock = active_timelock (self, phone);

  if (timelock == NULL)
    return g_strdup_printf ("{\"data\":{\"%s\":{\"is_active\":false,\"enforcement_type\":\"DEFAULT\"}}}", member);
  return g_strdup_printf ("{\"data\":{\"%s\":{\"is_active\":true,\"time_enforcement_ends\":\"%" G_GINT64_FORMAT
                          "\",\"enforcement_type\":\"%s\"}}}", member, timelock->until, timelock->kind);
}

/* At most @total new chats until @cycle_end, @used of them started. */
void
fakewa_reachout_set_cap (FakewaReachout *self,
                         const char     *phone,
                         guint           total,
                         guint           used,
                         gint64          cycle_end)
{
  Cap *cap = g_new0 (Cap, 1);

  cap->total = total;
  cap->used = used;
  cap->cycle_end = cycle_end;
  g_hash_table_insert (self->caps, g_strdup (phone), cap);
}

/* The answer to the new-chat cap query, as MEX JSON. */
char *
fakewa_reachout_cap_json (FakewaReachout *self,
                          const char     *phone)
{
  Cap *cap = g_hash_table_lookup (self->caps, phone);

  if (cap == NULL)
    return g_strdup ("{\"data\":{\"xwa2_message_capping_info\":null}}");
  return g_strdup_printf ("{\"data\":{\"xwa2_message_capping_info\":{\"total_quota\":%u,\"used_quota\":%u,"
                          "\"cycle_end_timestamp\":\"%" G_GINT64_FORMAT "\",\"capping_status\":\"%s\"}}}",
                          cap->total, cap->used, cap->cycle_end, cap->used >= cap->total ? "CAPPED" : "NONE");
}

/* A new token from @issuer for @holder to attach. The earlier ones stay
 * good until they age out: a client may hold any of them, as issuances
 * cross messages on the wire. */
GBytes *
fakewa_reachout_issue (FakewaReachout *self,
                       const char     *issuer,
                       const char     *holder,
                       gint64          t)
{
  g_autofree char *key = g_strdup_printf ("%s %s", issuer, holder);
  GPtrArray *all = g_hash_table_lookup (self->issued, key);
  Issued *issued = g_new0 (Issued, 1);
  guint8 bytes[TOKEN_LEN];

  wa_crypto_random (bytes, sizeof bytes);
  issued->token = g_bytes_new (bytes, sizeof bytes);
  issued->t = t;

  if (all == NULL)
    {
      all = g_ptr_array_new_with_free_func ((GDestroyNotify) issued_free);
      g_hash_table_insert (self->issued, g_steal_pointer (&key), all);
    }
  g_ptr_array_add (all, issued);
  return g_bytes_ref (issued->token);
}

guint
fakewa_reachout_count_issued (FakewaReachout *self,
                              const char     *issuer,
                              const char     *holder)
{
  g_autofree char *key = g_strdup_printf ("%s %s", issuer, holder);
  GPtrArray *all = g_hash_table_lookup (self->issued, key);

  return all != NULL ? all->len : 0;
}

static gboolean
bytes_equal (GBytes       *bytes,
             const guint8 *data,
             gsize         len)
{
  return bytes != NULL && g_bytes_get_size (bytes) == len && len > 0 &&
         memcmp (g_bytes_get_data (bytes, NULL), data, len) == 0;
}

static gboolean
tctoken_accepted (FakewaReachout *self,
                  const char     *sender,
                  const char     *recipient,
                  GBytes         *presented)
{
  g_autofree char *key = g_strdup_printf ("%s %s", recipient, sender);
  GPtrArray *all = g_hash_table_lookup (self->issued, key);
  gint64 now = fakewa_reachout_now (self);

  for (guint i = 0; all != NULL && presented != NULL && i < all->len; i++)
    {
      Issued *issued = g_ptr_array_index (all, i);

      if (g_bytes_equal (issued->token, presented) && issued->t >= (now / BUCKET_S - (N_BUCKETS - 1)) * BUCKET_S)
        return TRUE;
    }
  return FALSE;
}

static gboolean
cstoken_accepted (FakewaReachout *self,
                  const char     *sender,
                  const char     *recipient_lid,
                  GBytes         *presented)
{
  GBytes *salt = g_hash_table_lookup (self->salts, sender);
  g_autofree char *input = NULL;
  guint8 expected[WA_SHA256_LEN];

  if (salt == NULL || recipient_lid == NULL || presented == NULL)
    return FALSE;
  input = g_strdup_printf ("%s@lid", recipient_lid);
  wa_crypto_hmac_sha256 (g_bytes_get_data (salt, NULL), g_bytes_get_size (salt),
                         (const guint8 *) input, strlen (input), expected);
  return bytes_equal (presented, expected, sizeof expected);
}

/* %NULL when @message from @sender to @recipient may go, else the ack
 * error it gets. */
const char *
fakewa_reachout_check (FakewaReachout *self,
                       const char     *sender,
                       const char     *recipient,
                       const char     *recipient_lid,
                       WaNode         *message)
{
  WaNode *tctoken = wa_node_get_child_by_tag (message, "tctoken");
  WaNode *cstoken = wa_node_get_child_by_tag (message, "cstoken");
  g_autofree char *chat = g_strdup_printf ("%s %s", sender, recipient);
  gboolean has_tctoken = tctoken != NULL &&
                         tctoken_accepted (self, sender, recipient, wa_node_get_content_bytes (tctoken));
  gboolean has_cstoken = cstoken != NULL &&
                         cstoken_accepted (self, sender, recipient_lid, wa_node_get_content_bytes (cstoken));
  Cap *cap;

  if ((tctoken != NULL || cstoken != NULL) && g_strcmp0 (wa_node_get_attr (message, "category"), "peer") == 0)
    return "479";
  if (g_str_equal (sender, recipient) || g_hash_table_contains (self->chats, chat))
    return NULL;
  /* A token the recipient issued proves a conversation, which a time-lock
   * leaves alone; a cstoken only says who the recipient is. */
  if (active_timelock (self, sender) != NULL && !has_tctoken)
    return "463";
  if (g_hash_table_contains (self->restricted, sender) && !has_tctoken && !has_cstoken)
    return "463";
  /* A new chat beyond the cap is refused as a reach-out is. */
  cap = g_hash_table_lookup (self->caps, sender);
  if (cap != NULL && !has_tctoken && cap->cycle_end > fakewa_reachout_now (self))
    {
      if (cap->used >= cap->total)
        return "463";
      cap->used++;
    }
  g_hash_table_add (self->chats, g_steal_pointer (&chat));
  return NULL;
}
