/* wa-privacy.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-privacy"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "wa-ab-props.h"
#include "wa-account-status.h"
#include "wa-error.h"
#include "wa-jid.h"
#include "wa-lid-map.h"
#include "wa-privacy-token.h"
#include "wa-privacy.h"
#include "xi-json.h"

/*
 * A message to someone who never wrote to the account is a reach-out, and
 * WhatsApp refuses those (ack 463) unless the message carries a token
 * showing there is a conversation, and refuses every one for a while
 * when it puts the account under a reach-out time-lock (WA-FIDELITY
 * §1.8). Whoever messages us issues us a token (privacy_token
 * notification); we attach it to what we send them while it is valid,
 * and issue ours to them once per bucket after we write, as WhatsApp Web
 * does. Without a token, the NCT salt the phone shares gives a cstoken
 * for a recipient whose LID we know. Under a time-lock, new chats are not
 * even tried: each refused try counts against the account.
 */

struct _WaPrivacy
{
  GObject         parent_instance;

  /* The client's thread */
  GThread        *owner;
  GMainContext   *context;
  WaClient       *client;
  WaPrivacyClock  clock;
  gpointer        clock_data;
  GHashTable     *issuing;          /* contact keys with an issuance in flight */
  gint64          timelock_until;   /* Unix seconds, 0: none */
  char           *timelock_kind;
  guint           timelock_pushes;  /* time-lock pushes received so far */
  gint64          cap_total;        /* the new-chat cap of this cycle; 0: none known */
  gint64          cap_used;
  gint64          cap_cycle_end;    /* Unix seconds */
  gint64          cap_read_at;      /* when it was last read, Unix seconds; 0: never */
  gint64          notified_until;   /* the pause last notified */
  gint64          pruned_at;        /* tokens last pruned, Unix seconds */
  GSource        *pause_end;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (WaPrivacy, wa_privacy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NEW_CHATS_PAUSED_UNTIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Expired tokens are dropped at most this often, as the reference
 * clients do. */
#define PRUNE_INTERVAL_S (24 * 60 * 60)

/* Auxiliary methods */

static void
assert_owner (WaPrivacy *self)
{
  g_assert (self->owner == g_thread_self ());
}

static gint64
now_s (WaPrivacy *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

static WaKeyStore *
key_store (WaPrivacy *self)
{
  return wa_client_get_key_store (self->client);
}

/* Tokens are kept under the contact's LID, or under its number until
 * a LID is known (§1.2). */
static char *
contact_key (WaPrivacy *self,
             WaJid     *jid)
{
  char *lid;

  if (wa_jid_is_lid (jid))
    return g_strdup (wa_jid_get_user (jid));
  lid = wa_lid_map_lid_of_pn (key_store (self), wa_jid_get_user (jid));
  return lid != NULL ? lid : g_strdup (wa_jid_get_user (jid));
}

/* A person's account: tokens mean nothing to groups, the service or bots. */
static WaJid *
parse_person (const char *text)
{
  g_autoptr(WaJid) jid = text != NULL ? wa_jid_parse (text, NULL) : NULL;

  if (jid == NULL || (!wa_jid_is_pn (jid) && !wa_jid_is_lid (jid)) || g_str_equal (wa_jid_get_user (jid), "0"))
    return NULL;
  return wa_jid_to_non_ad (jid);
}

/* The server's buckets (AB props 865/909 for tokens we hold, 996/997
 * for ours), within the limits WhatsApp Web keeps them in. */
#define MAX_TOKEN_DURATION_S (180 * 24 * 60 * 60)

static gboolean
token_valid (WaPrivacy *self,
             gint64     timestamp,
             gboolean   ours)
{
  WaKeyStore *store = key_store (self);
  gint64 duration = wa_ab_props_get_int (store, ours ? WA_AB_PROP_TCTOKEN_DURATION_SENDER
                                                     : WA_AB_PROP_TCTOKEN_DURATION,
                                         1, MAX_TOKEN_DURATION_S, WA_TCTOKEN_DURATION_S);
  gint64 buckets = wa_ab_props_get_int (store, ours ? WA_AB_PROP_TCTOKEN_BUCKETS_SENDER
                                                    : WA_AB_PROP_TCTOKEN_NUM_BUCKETS,
                                        1, MAX_TOKEN_DURATION_S, WA_TCTOKEN_NUM_BUCKETS);

  return wa_tctoken_is_valid_for (timestamp, now_s (self), duration, buckets);
}

/* The valid token @jid issued to us, under its LID or its number. */
static GBytes *
valid_tctoken (WaPrivacy *self,
               WaJid     *jid)
{
  g_autofree char *key = contact_key (self, jid);
  g_autoptr(GBytes) token = NULL;
  gint64 timestamp = 0;

  token = wa_tctoken_load (key_store (self), key, &timestamp);
  if (token == NULL && !g_str_equal (key, wa_jid_get_user (jid)))
    token = wa_tctoken_load (key_store (self), wa_jid_get_user (jid), &timestamp);
  if (token == NULL || !token_valid (self, timestamp, FALSE))
    return NULL;
  return g_steal_pointer (&token);
}

/* By the clock, not only by the timer that ends it: a timer fires late
 * on a busy loop. */
static gboolean
timelock_on (WaPrivacy *self)
{
  return self->timelock_until > now_s (self);
}

/* The new-chat cap is used up for this cycle (by the server's count and
 * ours since). */
static gboolean
capped (WaPrivacy *self)
{
  return self->cap_total > 0 && self->cap_used >= self->cap_total && self->cap_cycle_end > now_s (self);
}

static gint64
paused_until (WaPrivacy *self)
{
  return MAX (timelock_on (self) ? self->timelock_until : 0, capped (self) ? self->cap_cycle_end : 0);
}

static void update_pause (WaPrivacy *self);

static gboolean
pause_ended_cb (gpointer user_data)
{
  WaPrivacy *self = user_data;

  g_clear_pointer (&self->pause_end, g_source_unref);
  update_pause (self);
  return G_SOURCE_REMOVE;
}

/* Tells whoever waits when new chats may start again, and wakes up then
 * to say so. */
static void
update_pause (WaPrivacy *self)
{
  gint64 until = paused_until (self);

  if (self->pause_end != NULL)
    {
      g_source_destroy (self->pause_end);
      g_clear_pointer (&self->pause_end, g_source_unref);
    }
  if (until > 0)
    {
      /* To the millisecond on the real clock: whoever waits for the end
       * (a campaign) should hear of it when it comes, not a second on. */
      gint64 delay_ms = self->clock != NULL ? (until - now_s (self)) * 1000
                                            : until * 1000 - g_get_real_time () / 1000;

      self->pause_end = g_timeout_source_new ((guint) CLAMP (delay_ms, 0, G_MAXUINT / 2));
      g_source_set_callback (self->pause_end, pause_ended_cb, self, NULL);
      g_source_attach (self->pause_end, self->context);
    }
  if (self->notified_until != until)
    {
      self->notified_until = until;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEW_CHATS_PAUSED_UNTIL]);
    }
}

static void
set_timelock (WaPrivacy  *self,
              gint64      until,
              const char *kind)
{
  if (until <= now_s (self))
    until = 0;
  g_free (self->timelock_kind);
  self->timelock_kind = until > 0 ? g_strdup (kind) : NULL;
  if (until > 0)
    g_info ("WhatsApp restricts new chats for %" G_GINT64_FORMAT " s (%s)", until - now_s (self),
            kind != NULL ? kind : "unknown");
  self->timelock_until = until;
  wa_account_status_save_timelock (key_store (self), until, self->timelock_kind);
  update_pause (self);
}

/* A number in MEX JSON, which WhatsApp writes as a string or a number. */
static gint64
json_int (JsonObject *object,
          const char *member)
{
  return MAX (xi_json_get_int (object, member, 0), 0);
}

/* {"data":{"<member>":{…}}} -> the inner object of @root, or %NULL. */
static JsonObject *
mex_member (JsonNode   *root,
            const char *member)
{
  JsonObject *data;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (data = xi_json_get_object (json_node_get_object (root), "data")) == NULL)
    return NULL;
  if (xi_json_get_object (data, member) == NULL)
    g_debug ("A MEX answer without %s", member);
  return xi_json_get_object (data, member);
}

static JsonNode *
mex_parse (GBytes *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root = xi_json_parse_bytes (json, &error);

  if (root == NULL)
    g_debug ("A MEX answer that is not JSON: %s", error->message);
  return root;
}

/* {"total_quota":…,"used_quota":…,"cycle_end_timestamp":…,"capping_status":…} */
static void
apply_cap_json (WaPrivacy *self,
                GBytes    *json)
{
  g_autoptr(JsonNode) root = mex_parse (json);
  JsonObject *cap = mex_member (root, "xwa2_message_capping_info");

  if (cap == NULL)
    return;
  self->cap_total = json_int (cap, "total_quota");
  self->cap_used = json_int (cap, "used_quota");
  self->cap_cycle_end = json_int (cap, "cycle_end_timestamp");
  self->cap_read_at = now_s (self);
  /* Capped with no end said: look again in an hour, as WA Web does. */
  if (g_strcmp0 (xi_json_get_string (cap, "capping_status", NULL), "CAPPED") == 0)
    {
      self->cap_used = MAX (self->cap_used, MAX (self->cap_total, 1));
      self->cap_total = MAX (self->cap_total, 1);
      if (self->cap_cycle_end <= now_s (self))
        self->cap_cycle_end = now_s (self) + WA_PRIVACY_CAP_TTL_S;
    }
  update_pause (self);
}

/* The time-lock part of a MEX answer or push:
 * {"is_active":…,"time_enforcement_ends":"<unix s>","enforcement_type":"…"} */
static void
apply_timelock_json (WaPrivacy  *self,
                     GBytes     *json,
                     const char *member)
{
  g_autoptr(JsonNode) root = mex_parse (json);
  JsonObject *lock = mex_member (root, member);
  gint64 until;

  if (lock == NULL)
    return;
  if (!xi_json_get_bool (lock, "is_active", FALSE))
    {
      set_timelock (self, 0, NULL);
      return;
    }
  until = json_int (lock, "time_enforcement_ends");
  if (until <= now_s (self))
    until = now_s (self) + WA_PRIVACY_TIMELOCK_DEFAULT_S;
  set_timelock (self, until, xi_json_get_string (lock, "enforcement_type", "UNKNOWN"));
}

/* Our token, for a contact (§1.6) */

typedef struct
{
  WaPrivacy *self;
  char      *key;
  gint64     t;
} Issue;

static void
issue_free (Issue *issue)
{
  g_object_unref (issue->self);
  g_free (issue->key);
  g_free (issue);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Issue, issue_free)

static void
issued_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Issue) issue = user_data;
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  g_hash_table_remove (issue->self->issuing, issue->key);
  if (answer == NULL)
    {
      g_debug ("The server did not take our privacy token: %s", error->message);
      return;
    }
  wa_tctoken_save_sent (key_store (issue->self), issue->key, issue->t);
}

static void
issue_token (WaPrivacy *self,
             WaJid     *jid,
             char      *key)
{
  WaConnection *connection = wa_client_get_connection (self->client);
  g_autofree char *jid_text = wa_jid_to_string (jid);
  g_autofree char *t = NULL;
  g_autoptr(WaNode) iq = NULL;
  WaNode *tokens;
  Issue *issue;

  if (connection == NULL || wa_client_get_state (self->client) != WA_CLIENT_STATE_CONNECTED ||
      g_hash_table_contains (self->issuing, key))
    {
      g_free (key);
      return;
    }
  issue = g_new0 (Issue, 1);
  issue->self = g_object_ref (self);
  issue->key = key;
  issue->t = now_s (self);
  t = g_strdup_printf ("%" G_GINT64_FORMAT, issue->t);
  iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "set", "xmlns", "privacy", NULL);
  tokens = wa_node_add_child (iq, wa_node_new ("tokens"));
  wa_node_add_child (tokens, wa_node_new_with_attrs ("token", "jid", jid_text, "t", t, "type", "trusted_contact",
                                                     NULL));
  g_hash_table_add (self->issuing, g_strdup (key));
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, self->cancellable, issued_cb, issue);
}

/* Notifications */

static void
receive_tokens (WaPrivacy *self,
                WaNode    *notification)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = wa_privacy_token_parse (notification, &error);
  if (tokens == NULL)
    {
      g_debug ("A privacy token notification to ignore: %s", error->message);
      return;
    }
  for (guint i = 0; i < tokens->len; i++)
    {
      WaPrivacyToken *token = g_ptr_array_index (tokens, i);
      g_autoptr(WaJid) issuer = wa_jid_parse (token->issuer, NULL);
      g_autoptr(WaJid) issuer_lid = token->issuer_lid != NULL ? wa_jid_parse (token->issuer_lid, NULL) : NULL;
      g_autofree char *key = NULL;

      if (issuer_lid != NULL && wa_jid_is_pn (issuer))
        wa_lid_map_remember (key_store (self), wa_jid_get_user (issuer_lid), wa_jid_get_user (issuer));
      key = issuer_lid != NULL ? g_strdup (wa_jid_get_user (issuer_lid)) : contact_key (self, issuer);
      if (!wa_tctoken_save (key_store (self), key, token->timestamp, token->token))
        g_debug ("Kept a newer privacy token than the one that arrived");
    }
}

static void
receive_mex (WaPrivacy *self,
             WaNode    *notification)
{
  g_autoptr(GPtrArray) updates = wa_node_get_children_by_tag (notification, "update");

  for (guint i = 0; updates != NULL && i < updates->len; i++)
    {
      WaNode *update = g_ptr_array_index (updates, i);

      if (g_strcmp0 (wa_node_get_attr (update, "op_name"), WA_PRIVACY_TIMELOCK_OP) == 0)
        {
          self->timelock_pushes++;
          apply_timelock_json (self, wa_node_get_content_bytes (update), "xwa2_notify_account_reachout_timelock");
        }
    }
}

/* The JSON of a MEX answer, or %NULL when the query failed. */
static GBytes *
mex_result (GObject      *connection,
            GAsyncResult *result,
            const char   *what)
{
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  WaNode *content;
  GBytes *json;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (connection), result, &error);
  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not read %s: %s", what, error->message);
      return NULL;
    }
  content = wa_node_get_child_by_tag (answer, "result");
  json = content != NULL ? wa_node_get_content_bytes (content) : NULL;
  return json != NULL ? g_bytes_ref (json) : NULL;
}

typedef struct
{
  WaPrivacy *self;
  guint      pushes_when_asked;
} TimelockAsk;

static void
timelock_ask_free (TimelockAsk *ask)
{
  g_object_unref (ask->self);
  g_free (ask);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimelockAsk, timelock_ask_free)

static void
timelock_answered_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TimelockAsk) ask = user_data;
  g_autoptr(GBytes) json = mex_result (object, result, "the reach-out time-lock");

  /* The answer may have been written before a push that overtook it
   * here (answers complete from an idle, pushes are read at once): a
   * push since the question is the newer word. */
  if (json == NULL)
    return;
  if (ask->self->timelock_pushes != ask->pushes_when_asked)
    g_debug ("A time-lock answer older than the push that overtook it was ignored");
  else
    apply_timelock_json (ask->self, json, "xwa2_fetch_account_reachout_timelock");
}

static void
node_cb (WaClient  *client,
         WaNode    *node,
         WaPrivacy *self)
{
  const char *type = wa_node_get_attr (node, "type");

  if (!g_str_equal (wa_node_get_tag (node), "notification"))
    return;
  if (g_strcmp0 (type, "privacy_token") == 0)
    receive_tokens (self, node);
  else if (g_strcmp0 (type, "mex") == 0)
    receive_mex (self, node);
}

static void
state_cb (WaClient   *client,
          GParamSpec *pspec,
          WaPrivacy  *self)
{
  /* WhatsApp Web reads the time-lock at each start (§8, step 5). */
  if (wa_client_get_state (client) == WA_CLIENT_STATE_CONNECTED)
    {
      wa_privacy_refresh_timelock (self);
      wa_privacy_refresh_cap (self);
      if (now_s (self) - self->pruned_at >= PRUNE_INTERVAL_S)
        wa_privacy_prune_tokens_async (self, self->cancellable, NULL, NULL);
    }
  else if (wa_client_get_state (client) == WA_CLIENT_STATE_LOGGED_OUT)
    {
      self->cap_total = self->cap_used = self->cap_cycle_end = self->cap_read_at = 0;
      set_timelock (self, 0, NULL);
    }
}

static void
wa_privacy_dispose (GObject *object)
{
  WaPrivacy *self = (WaPrivacy *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  if (self->pause_end != NULL)
    {
      g_source_destroy (self->pause_end);
      g_clear_pointer (&self->pause_end, g_source_unref);
    }

  G_OBJECT_CLASS (wa_privacy_parent_class)->dispose (object);
}

static void
wa_privacy_finalize (GObject *object)
{
  WaPrivacy *self = (WaPrivacy *)object;

  g_hash_table_unref (self->issuing);
  g_free (self->timelock_kind);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (wa_privacy_parent_class)->finalize (object);
}

static void
wa_privacy_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  WaPrivacy *self = WA_PRIVACY (object);

  switch (prop_id)
    {
    case PROP_NEW_CHATS_PAUSED_UNTIL:
      g_value_set_int64 (value, paused_until (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wa_privacy_class_init (WaPrivacyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_privacy_dispose;
  object_class->finalize = wa_privacy_finalize;
  object_class->get_property = wa_privacy_get_property;

  properties[PROP_NEW_CHATS_PAUSED_UNTIL] =
    g_param_spec_int64 ("new-chats-paused-until", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wa_privacy_init (WaPrivacy *self)
{
  self->owner = g_thread_self ();
  self->context = g_main_context_ref_thread_default ();
  self->issuing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

/**
 * wa_privacy_new:
 * @client: the client whose account this is, on this thread
 *
 * Returns: (transfer full): the account's privacy tokens and time-lock
 */
WaPrivacy *
wa_privacy_new (WaClient *client)
{
  WaPrivacy *self;

  g_return_val_if_fail (WA_IS_CLIENT (client), NULL);

  self = g_object_new (WA_TYPE_PRIVACY, NULL);
  self->client = g_object_ref (client);
  g_signal_connect (client, "node", G_CALLBACK (node_cb), self);
  g_signal_connect (client, "notify::state", G_CALLBACK (state_cb), self);
  return self;
}

/**
 * wa_privacy_set_clock:
 * @clock: (nullable): returns the time in Unix seconds; %NULL for the real one
 * @user_data: for @clock
 *
 * Replaces the clock tokens age by; for tests.
 */
void
wa_privacy_set_clock (WaPrivacy      *self,
                      WaPrivacyClock  clock,
                      gpointer        user_data)
{
  g_return_if_fail (WA_IS_PRIVACY (self));
  self->clock = clock;
  self->clock_data = user_data;
}

/**
 * wa_privacy_get_timelock_until:
 *
 * Returns: until when (Unix seconds) WhatsApp refuses new chats from this
 *   account, or 0 when it does not
 */
gint64
wa_privacy_get_timelock_until (WaPrivacy *self)
{
  g_return_val_if_fail (WA_IS_PRIVACY (self), 0);
  return timelock_on (self) ? self->timelock_until : 0;
}

/**
 * wa_privacy_get_new_chats_paused_until:
 *
 * Returns: until when (Unix seconds) this account may start no new chat,
 *   under a time-lock or with its new-chat cap used up; 0 when it may
 */
gint64
wa_privacy_get_new_chats_paused_until (WaPrivacy *self)
{
  g_return_val_if_fail (WA_IS_PRIVACY (self), 0);
  return paused_until (self);
}

/**
 * wa_privacy_get_timelock_kind:
 *
 * Returns: (nullable): the server's name for the time-lock, such as
 *   "WEB_COMPANION_ONLY", while one is on
 */
const char *
wa_privacy_get_timelock_kind (WaPrivacy *self)
{
  g_return_val_if_fail (WA_IS_PRIVACY (self), NULL);
  return self->timelock_kind;
}

/**
 * wa_privacy_token_node:
 * @to: the recipient's account JID
 *
 * What a 1:1 message to @to carries to show it is not a cold reach-out
 * (§1.5): the token @to issued us while it is valid, else a cstoken when
 * the NCT salt and the recipient's LID are known, else nothing.
 *
 * Returns: (transfer full) (nullable): a `<tctoken>` or `<cstoken>` node
 */
WaNode *
wa_privacy_token_node (WaPrivacy  *self,
                       const char *to)
{
  g_autoptr(WaJid) jid = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autofree char *lid = NULL;
  guint8 cstoken[WA_CSTOKEN_LEN];
  WaNode *node;

  g_return_val_if_fail (WA_IS_PRIVACY (self), NULL);
  assert_owner (self);

  if ((jid = parse_person (to)) == NULL)
    return NULL;
  /* The server may roll either token out or back (AB props 10518,
   * 24941); one it never mentioned is sent, as whatsmeow does. */
  if (wa_ab_props_allows (key_store (self), WA_AB_PROP_TCTOKEN_ON_ALL_1_ON_1) &&
      (token = valid_tctoken (self, jid)) != NULL)
    {
      node = wa_node_new ("tctoken");
      wa_node_set_content_bytes (node, token);
      return node;
    }
  salt = wa_key_store_load (key_store (self), WA_NCT_SALT_KIND, WA_NCT_SALT_KEY);
  lid = wa_jid_is_lid (jid) ? g_strdup (wa_jid_get_user (jid)) : wa_lid_map_lid_of_pn (key_store (self),
                                                                                       wa_jid_get_user (jid));
  if (salt == NULL || g_bytes_get_size (salt) == 0 || lid == NULL ||
      !wa_ab_props_allows (key_store (self), WA_AB_PROP_NCT_TOKEN_SEND))
    return NULL;
  wa_cstoken_compute (salt, lid, cstoken);
  node = wa_node_new ("cstoken");
  wa_node_set_content_data (node, cstoken, sizeof cstoken);
  wa_crypto_wipe (cstoken, sizeof cstoken);
  return node;
}

/**
 * wa_privacy_check_new_chat:
 * @to: the recipient's account JID
 * @error: return location for %WA_ERROR_TIME_LOCKED
 *
 * Under a reach-out time-lock only existing conversations go on: those
 * whose contact issued us a token that is still valid.
 *
 * Returns: whether a message to @to may be tried now
 */
gboolean
wa_privacy_check_new_chat (WaPrivacy   *self,
                           const char  *to,
                           GError     **error)
{
  g_autoptr(WaJid) jid = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *until_text = NULL;

  g_return_val_if_fail (WA_IS_PRIVACY (self), FALSE);
  assert_owner (self);

  if (self->cap_read_at > 0 && now_s (self) - self->cap_read_at >= WA_PRIVACY_CAP_TTL_S)
    wa_privacy_refresh_cap (self);
  if (paused_until (self) == 0 || (jid = parse_person (to)) == NULL ||
      (token = valid_tctoken (self, jid)) != NULL)
    return TRUE;
  until = g_date_time_new_from_unix_utc (paused_until (self));
  until_text = until != NULL ? g_date_time_format_iso8601 (until) : g_strdup ("?");
  if (timelock_on (self))
    g_set_error (error, WA_ERROR, WA_ERROR_TIME_LOCKED,
                 "WhatsApp does not let this account start new chats until %s (%s)", until_text,
                 self->timelock_kind != NULL ? self->timelock_kind : "reach-out time-lock");
  else
    g_set_error (error, WA_ERROR, WA_ERROR_TIME_LOCKED,
                 "This account started its %" G_GINT64_FORMAT " new chats of the cycle; more after %s",
                 self->cap_total, until_text);
  return FALSE;
}

/**
 * wa_privacy_sent:
 * @to: the account JID a 1:1 message went to
 *
 * Issues our token to @to after the server took a message to it, once per
 * bucket, so @to's replies count as a conversation (§1.6).
 */
void
wa_privacy_sent (WaPrivacy  *self,
                 const char *to)
{
  g_autoptr(WaJid) jid = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GBytes) token = NULL;
  gint64 sent;

  g_return_if_fail (WA_IS_PRIVACY (self));
  assert_owner (self);

  if ((jid = parse_person (to)) == NULL)
    return;
  key = contact_key (self, jid);
  sent = wa_tctoken_load_sent (key_store (self), key);
  /* A first message to someone who never wrote counts against the cap;
   * the server's count is read again within the hour. */
  token = valid_tctoken (self, jid);
  if (token == NULL && sent == 0 && self->cap_total > 0)
    {
      self->cap_used++;
      update_pause (self);
    }
  if (wa_tctoken_should_issue_for (sent, now_s (self),
                                   wa_ab_props_get_int (key_store (self), WA_AB_PROP_TCTOKEN_DURATION_SENDER, 1,
                                                        MAX_TOKEN_DURATION_S, WA_TCTOKEN_DURATION_S)))
    issue_token (self, jid, g_steal_pointer (&key));
}

/**
 * wa_privacy_refused:
 * @to: the account JID a message was refused for
 * @refusal: the server's refusal
 *
 * A 463 may be the sign of a time-lock the server has not pushed yet:
 * read it again, so the next new chats wait instead of being refused too.
 */
void
wa_privacy_refused (WaPrivacy    *self,
                    const char   *to,
                    const GError *refusal)
{
  g_return_if_fail (WA_IS_PRIVACY (self));
  assert_owner (self);

  if (g_error_matches (refusal, WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN))
    wa_privacy_refresh_timelock (self);
}

/**
 * wa_privacy_identity_changed:
 * @user: the account JID whose identity key changed
 *
 * The contact reinstalled or moved phones and lost the token we issued:
 * issue it again while the one we gave is still within its buckets (§1.6).
 */
void
wa_privacy_identity_changed (WaPrivacy  *self,
                             const char *user)
{
  g_autoptr(WaJid) jid = NULL;
  g_autofree char *key = NULL;
  gint64 sent;

  g_return_if_fail (WA_IS_PRIVACY (self));
  assert_owner (self);

  if ((jid = parse_person (user)) == NULL)
    return;
  key = contact_key (self, jid);
  sent = wa_tctoken_load_sent (key_store (self), key);
  if (sent > 0 && token_valid (self, sent, TRUE))
    issue_token (self, jid, g_steal_pointer (&key));
}

static void
cap_answered_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(WaPrivacy) self = user_data;
  g_autoptr(GBytes) json = mex_result (object, result, "the new-chat cap");

  if (json != NULL)
    apply_cap_json (self, json);
}

/* A MEX query (§1.8): the document's id and its variables as JSON. */
static void
send_mex (WaPrivacy           *self,
          const char          *query_id,
          const char          *variables,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          GDestroyNotify       user_data_free)
{
  WaConnection *connection = wa_client_get_connection (self->client);
  g_autoptr(WaNode) iq = NULL;
  WaNode *query;

  if (connection == NULL)
    {
      user_data_free (user_data);
      return;
    }
  iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get", "xmlns", "w:mex", NULL);
  query = wa_node_add_child (iq, wa_node_new_with_attrs ("query", "query_id", query_id, NULL));
  wa_node_set_content_data (query, (const guint8 *) variables, strlen (variables));
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, self->cancellable, callback,
                               user_data);
}

/**
 * wa_privacy_refresh_cap:
 *
 * Asks the server how many new chats the account may still start in this
 * cycle (WA Web reads it hourly).
 */
void
wa_privacy_refresh_cap (WaPrivacy *self)
{
  g_return_if_fail (WA_IS_PRIVACY (self));
  assert_owner (self);

  /* Not asked again while the answer is on its way. */
  self->cap_read_at = MAX (self->cap_read_at, now_s (self));
  send_mex (self, WA_PRIVACY_CAP_QUERY_ID, "{\"variables\":{\"input\":{\"type\":\"INDIVIDUAL_NEW_CHAT_MSG\"}}}",
            cap_answered_cb, g_object_ref (self), g_object_unref);
}

/* Contacts whose tokens are read from the store at a time while
 * pruning: two values each, well inside a bounded key store's cache, so
 * none is dropped again before it is looked at. */
#define PRUNE_CHUNK 200

static const char * const prune_kinds[] = { WA_TCTOKEN_KIND, WA_TCTOKEN_SENT_KIND, NULL };

typedef struct
{
  GPtrArray *contacts;  /* owned strings, each once */
  guint      next;      /* the first contact not looked at yet */
  guint      pruned;
} Prune;

static void
prune_free (Prune *prune)
{
  g_ptr_array_unref (prune->contacts);
  g_free (prune);
}

/* Forgets @contact when its token and our last token to it both aged out. */
static gboolean
prune_contact (WaPrivacy  *self,
               WaKeyStore *store,
               const char *contact)
{
  g_autoptr(GBytes) token = NULL;
  gint64 timestamp = 0;
  gint64 sent_at = wa_tctoken_load_sent (store, contact);

  token = wa_tctoken_load (store, contact, &timestamp);
  if ((token != NULL && token_valid (self, timestamp, FALSE)) || (sent_at > 0 && token_valid (self, sent_at, TRUE)))
    return FALSE;
  wa_key_store_remove (store, WA_TCTOKEN_KIND, contact);
  wa_key_store_remove (store, WA_TCTOKEN_SENT_KIND, contact);
  return TRUE;
}

static void prune_next_chunk (GTask *task);

static void
prune_chunk_read_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  WaPrivacy *self = g_task_get_source_object (task);
  Prune *prune = g_task_get_task_data (task);
  WaKeyStore *store = WA_KEY_STORE (object);
  g_autoptr(GError) error = NULL;
  guint end = MIN (prune->next + PRUNE_CHUNK, prune->contacts->len);

  /* What was not read ahead is read below one value at a time: slower,
   * never wrong. */
  if (!wa_key_store_prefetch_finish (store, result, &error))
    g_debug ("Could not read privacy tokens ahead: %s", error->message);
  if (self->client != NULL)
    for (; prune->next < end; prune->next++)
      prune->pruned += prune_contact (self, store, g_ptr_array_index (prune->contacts, prune->next));
  prune_next_chunk (task);
}

/* Takes @task's reference. */
static void
prune_next_chunk (GTask *task)
{
  WaPrivacy *self = g_task_get_source_object (task);
  Prune *prune = g_task_get_task_data (task);
  g_autoptr(GPtrArray) keys = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (self->client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The privacy state was disposed");
      g_object_unref (task);
      return;
    }
  if (prune->next == prune->contacts->len)
    {
      g_task_return_int (task, prune->pruned);
      g_object_unref (task);
      return;
    }

  keys = g_ptr_array_new ();
  for (guint i = prune->next; i < prune->contacts->len && keys->len < PRUNE_CHUNK; i++)
    g_ptr_array_add (keys, g_ptr_array_index (prune->contacts, i));
  g_ptr_array_add (keys, NULL);
  wa_key_store_prefetch_async (key_store (self), prune_kinds, (const char * const *) keys->pdata, NULL,
                               prune_chunk_read_cb, task);
}

/**
 * wa_privacy_prune_tokens_async:
 * @self: a #WaPrivacy
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called once every contact was looked at
 * @user_data: closure
 *
 * Forgets the contacts whose token and whose last token from us both aged
 * out of their buckets: nothing of them is of use any more (§1.3). Their
 * tokens are read ahead a chunk at a time, so a key store that reads on
 * demand is asked once per chunk rather than twice per contact, while
 * the thread goes on sending.
 */
void
wa_privacy_prune_tokens_async (WaPrivacy           *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  GTask *task;
  Prune *prune;

  g_return_if_fail (WA_IS_PRIVACY (self));
  assert_owner (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wa_privacy_prune_tokens_async);
  prune = g_new0 (Prune, 1);
  prune->contacts = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, prune, (GDestroyNotify) prune_free);

  self->pruned_at = now_s (self);
  received = wa_key_store_list (key_store (self), WA_TCTOKEN_KIND);
  sent = wa_key_store_list (key_store (self), WA_TCTOKEN_SENT_KIND);
  for (guint i = 0; received != NULL && i < received->len; i++)
    if (g_hash_table_add (seen, g_ptr_array_index (received, i)))
      g_ptr_array_add (prune->contacts, g_strdup (g_ptr_array_index (received, i)));
  for (guint i = 0; sent != NULL && i < sent->len; i++)
    if (g_hash_table_add (seen, g_ptr_array_index (sent, i)))
      g_ptr_array_add (prune->contacts, g_strdup (g_ptr_array_index (sent, i)));

  prune_next_chunk (task);
}

/**
 * wa_privacy_prune_tokens_finish:
 * @self: a #WaPrivacy
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: how many contacts were forgotten, or -1 with @error set
 */
gssize
wa_privacy_prune_tokens_finish (WaPrivacy     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

/**
 * wa_privacy_refresh_timelock:
 *
 * Asks the server whether the account is under a reach-out time-lock.
 */
void
wa_privacy_refresh_timelock (WaPrivacy *self)
{
  TimelockAsk *ask;

  g_return_if_fail (WA_IS_PRIVACY (self));
  assert_owner (self);

  ask = g_new0 (TimelockAsk, 1);
  ask->self = g_object_ref (self);
  ask->pushes_when_asked = self->timelock_pushes;
  send_mex (self, WA_PRIVACY_TIMELOCK_QUERY_ID, "{\"variables\":{}}", timelock_answered_cb, ask,
            (GDestroyNotify) timelock_ask_free);
}
