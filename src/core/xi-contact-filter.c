/* xi-contact-filter.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-contact-filter"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "xi-contact-filter.h"
#include "xi-contact-private.h"
#include "xi-store.h"

/*
 * An audience: the contacts whose fields, tags and opt-out state match
 * every condition. Conditions are written the way a shop owner says them,
 * "kota=Jakarta", "kota~jak" (contains), "kota!=Bandung", and compared
 * ignoring case and the spaces around values, because spreadsheets are
 * typed by hand. The filter is built once and then only read, so one
 * filter may test 100,000 contacts without allocating per field.
 *
 * A few conditions are about what the store knows beside the contact
 * (group=, messaged=, replied=). The store resolves each of them once
 * (xi_contact_filter_resolve()): a group into its id, which a contact's
 * group ids and SQL test, the others into the set of contacts they
 * name, so testing a contact stays a lookup.
 */

typedef enum {
  OP_EQUALS,
  OP_NOT_EQUALS,
  OP_CONTAINS,
} Op;

typedef enum {
  FIELD_CUSTOM,
  FIELD_NAME,
  FIELD_PHONE,
  FIELD_TAG,
  FIELD_WHATSAPP,
  FIELD_OPTED_OUT,
  FIELD_GROUP,     /* the rest are resolved by the store */
  FIELD_MESSAGED,
  FIELD_REPLIED,
} FieldKind;

typedef struct
{
  FieldKind  kind;
  char      *key;      /* lower case; the custom field's name */
  Op         op;
  char      *value;    /* casefolded, trimmed; "" means "has no value" */
  gboolean   in_raw;   /* a match shows @value verbatim in the contact's field JSON */
  int        state;    /* FIELD_WHATSAPP: an XiOnWhatsApp; yes/no fields: 1 or 0 */
  GHashTable *ids;     /* resolved fields: the contact ids named; FIELD_GROUP: the group's id */
} Condition;

struct _XiContactFilter
{
  GPtrArray  *conditions;  /* Condition */
  GPtrArray  *tags;        /* casefolded */
  GPtrArray  *fields;      /* the custom fields named, NULL-terminated */
  GPtrArray  *texts;       /* every condition as written, NULL-terminated */
};

G_DEFINE_BOXED_TYPE (XiContactFilter, xi_contact_filter, xi_contact_filter_ref, xi_contact_filter_unref)

/* Auxiliary methods */

static void
condition_free (gpointer data)
{
  Condition *condition = data;

  g_free (condition->key);
  g_free (condition->value);
  g_clear_pointer (&condition->ids, g_hash_table_unref);
  g_free (condition);
}

static void
xi_contact_filter_clear (gpointer data)
{
  XiContactFilter *self = data;

  g_ptr_array_unref (self->conditions);
  g_ptr_array_unref (self->tags);
  g_ptr_array_unref (self->fields);
  g_ptr_array_unref (self->texts);
}

static char *
fold_trimmed (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));

  return g_utf8_casefold (copy, -1);
}

static gboolean
is_field_name (const char *key)
{
  /* A letter first, so that "10:30" is a time, not a condition. */
  if (!g_ascii_isalpha (key[0]))
    return FALSE;
  for (const char *c = key; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    if ((guchar)*c >= 0x80)
      return FALSE;
  return TRUE;
}

/* Compares @value, trimmed, with the casefolded @folded: equal, or
 * containing it. Most values are ASCII, and folding them costs an
 * allocation per contact per keystroke; only the others are folded. */
static gboolean
compare_folded (const char *value,
                const char *folded,
                gboolean    contains)
{
  gsize len;
  gsize want = strlen (folded);

  while (*value == ' ' || *value == '\t')
    value++;
  len = strlen (value);
  while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
    len--;

  if (is_ascii (value) && is_ascii (folded))
    {
      if (!contains)
        return len == want && g_ascii_strncasecmp (value, folded, len) == 0;
      for (gsize i = 0; i + want <= len; i++)
        if (g_ascii_strncasecmp (value + i, folded, want) == 0)
          return TRUE;
      return FALSE;
    }
  else
    {
      g_autofree char *mine = g_utf8_casefold (value, len);

      return contains ? strstr (mine, folded) != NULL : strcmp (mine, folded) == 0;
    }
}

/* Whether @value (raw, from the contact) satisfies @condition. */
static gboolean
value_matches (const Condition *condition,
               const char      *value)
{
  gboolean result;

  if (value == NULL || value[strspn (value, " \t")] == '\0')
    {
      result = condition->value[0] == '\0';
      return condition->op == OP_NOT_EQUALS ? !result : result;
    }

  switch (condition->op)
    {
    case OP_CONTAINS:
      return compare_folded (value, condition->value, TRUE);
    case OP_NOT_EQUALS:
      return !compare_folded (value, condition->value, FALSE);
    case OP_EQUALS:
    default:
      return compare_folded (value, condition->value, FALSE);
    }
}

/* Printable ASCII that JSON writes as it is; "/" may be escaped by some. */
static gboolean
is_plain_ascii (const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    if ((guchar)*c < 0x20 || (guchar)*c >= 0x7f || strchr ("\"\\/", *c) != NULL)
      return FALSE;
  return TRUE;
}

/* Whether @needle (lower case ASCII) occurs in @haystack, ignoring case. */
static gboolean
ascii_contains (const char *haystack,
                const char *needle)
{
  gsize len = strlen (needle);

  for (const char *c = haystack; *c != '\0'; c++)
    if (g_ascii_tolower (*c) == needle[0] && g_ascii_strncasecmp (c, needle, len) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_tag (const char * const *tags,
         const char         *folded_tag)
{
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    if (compare_folded (tags[i], folded_tag, FALSE))
      return TRUE;
  return FALSE;
}

/* "yes" or "no", in English or Indonesian, as 1 or 0; -1 otherwise. */
static int
parse_yes_no (const char *folded)
{
  if (g_str_equal (folded, "yes") || g_str_equal (folded, "ya") || g_str_equal (folded, "true") ||
      g_str_equal (folded, "1"))
    return 1;
  if (g_str_equal (folded, "no") || g_str_equal (folded, "tidak") || g_str_equal (folded, "false") ||
      g_str_equal (folded, "0"))
    return 0;
  return -1;
}

static int
parse_on_whatsapp (const char *folded)
{
  if (g_str_equal (folded, "unknown") || g_str_equal (folded, "unchecked") ||
      g_str_equal (folded, "belum"))
    return XI_ON_WHATSAPP_UNKNOWN;
  switch (parse_yes_no (folded))
    {
    case 1:
      return XI_ON_WHATSAPP_YES;
    case 0:
      return XI_ON_WHATSAPP_NO;
    default:
      return -1;
    }
}

/* Reads what @key names beside the custom fields into @condition, or
 * says what is wrong with @condition's value. */
static gboolean
read_known_field (Condition   *condition,
                  const char  *key,
                  const char  *text,
                  GError     **error)
{
  if (g_str_equal (key, "name") || g_str_equal (key, "nama"))
    condition->kind = FIELD_NAME;
  else if (g_str_equal (key, "phone") || g_str_equal (key, "telepon"))
    condition->kind = FIELD_PHONE;
  else if (g_str_equal (key, "tag"))
    condition->kind = FIELD_TAG;
  else if (g_str_equal (key, "group") || g_str_equal (key, "grup"))
    condition->kind = FIELD_GROUP;
  else if (g_str_equal (key, "replied") || g_str_equal (key, "dibalas"))
    condition->kind = FIELD_REPLIED;
  else if (g_str_equal (key, "whatsapp"))
    {
      condition->kind = FIELD_WHATSAPP;
      condition->state = parse_on_whatsapp (condition->value);
    }
  else if (g_str_equal (key, "opted_out") || g_str_equal (key, "messaged"))
    {
      condition->kind = g_str_equal (key, "messaged") ? FIELD_MESSAGED : FIELD_OPTED_OUT;
      condition->state = parse_yes_no (condition->value);
    }
  else
    {
      condition->kind = FIELD_CUSTOM;
      return TRUE;
    }

  if ((condition->kind == FIELD_WHATSAPP || condition->kind == FIELD_OPTED_OUT ||
       condition->kind == FIELD_MESSAGED) &&
      (condition->state < 0 || condition->op == OP_CONTAINS))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   condition->kind == FIELD_WHATSAPP
                   /* Translators: keep whatsapp=yes, whatsapp=no and whatsapp=unknown as they are */
                   ? _("“%s”: WhatsApp status is whatsapp=yes, whatsapp=no or whatsapp=unknown.")
                   /* Translators: keep =yes and =no as they are */
                   : _("“%s”: this field is =yes or =no."), text);
      return FALSE;
    }
  if ((condition->kind == FIELD_GROUP || condition->kind == FIELD_REPLIED) &&
      (condition->value[0] == '\0' || condition->op == OP_CONTAINS))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   condition->kind == FIELD_GROUP
                   /* Translators: keep group=NAME and group!=NAME as they are */
                   ? _("“%s”: name the whole group, as in group=NAME or group!=NAME.")
                   /* Translators: keep replied=CAMPAIGN as it is */
                   : _("“%s”: name the whole campaign, as in replied=CAMPAIGN."), text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_resolved_kind (FieldKind kind)
{
  return kind == FIELD_GROUP || kind == FIELD_MESSAGED || kind == FIELD_REPLIED;
}

/* Public API */

/**
 * xi_contact_filter_new:
 *
 * Returns: (transfer full): a filter that every contact matches
 */
XiContactFilter *
xi_contact_filter_new (void)
{
  XiContactFilter *self = g_atomic_rc_box_new0 (XiContactFilter);

  self->conditions = g_ptr_array_new_with_free_func (condition_free);
  self->tags = g_ptr_array_new_with_free_func (g_free);
  self->fields = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->texts = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  return self;
}

/**
 * xi_contact_filter_ref:
 * @self: a filter
 *
 * Returns: (transfer full): @self
 */
XiContactFilter *
xi_contact_filter_ref (XiContactFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

/**
 * xi_contact_filter_unref:
 * @self: (transfer full): a filter
 */
void
xi_contact_filter_unref (XiContactFilter *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, xi_contact_filter_clear);
}

/**
 * xi_contact_filter_add_where:
 * @self: a filter being built
 * @condition: "FIELD=VALUE", "FIELD!=VALUE" or "FIELD~TEXT" (contains);
 *   FIELD is `name`, `phone` or a custom field (`nama` and `telepon`
 *   too); an empty VALUE means "has none". Besides: `tag=TAG`,
 *   `whatsapp=yes|no|unknown`, `opted_out=yes|no`, and the ones the store
 *   resolves: `group=NAME`, `messaged=no` (never sent a message) and
 *   `replied=CAMPAIGN`
 * @error: return location for a %XI_STORE_ERROR_INVALID error
 *
 * Returns: %TRUE when @condition could be read, %FALSE with @error set
 */
gboolean
xi_contact_filter_add_where (XiContactFilter  *self,
                             const char       *condition,
                             GError          **error)
{
  g_autofree char *key = NULL;
  g_autofree char *field = NULL;
  Condition *parsed;
  const char *sign;
  gsize sign_len = 1;
  Op op = OP_EQUALS;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (condition != NULL, FALSE);

  sign = strpbrk (condition, "=~!");
  if (sign != NULL && sign[0] == '!')
    {
      if (sign[1] != '=')
        sign = NULL;
      else
        {
          op = OP_NOT_EQUALS;
          sign_len = 2;
        }
    }
  else if (sign != NULL && sign[0] == '~')
    op = OP_CONTAINS;

  if (sign != NULL)
    {
      field = g_strndup (condition, sign - condition);
      key = g_ascii_strdown (g_strstrip (field), -1);
    }
  if (sign == NULL || !is_field_name (key))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   /* Translators: keep kota=Jakarta, kota~jak and kota!=Bandung as they are */
                   _("“%s” is not a condition. Write FIELD=VALUE, as in kota=Jakarta; "
                     "kota~jak for “contains”, kota!=Bandung for “is not”."), condition);
      return FALSE;
    }

  parsed = g_new0 (Condition, 1);
  parsed->op = op;
  parsed->value = fold_trimmed (sign + sign_len);
  if (!read_known_field (parsed, key, condition, error))
    {
      condition_free (parsed);
      return FALSE;
    }
  if (parsed->kind == FIELD_CUSTOM &&
      !g_ptr_array_find_with_equal_func (self->fields, key, g_str_equal, NULL))
    g_ptr_array_add (self->fields, g_strdup (key));
  parsed->key = g_steal_pointer (&key);
  parsed->in_raw = parsed->kind == FIELD_CUSTOM && op != OP_NOT_EQUALS &&
                   parsed->value[0] != '\0' && is_plain_ascii (parsed->value);
  g_ptr_array_add (self->texts, g_strstrip (g_strdup (condition)));
  g_ptr_array_add (self->conditions, parsed);
  return TRUE;
}

/**
 * xi_contact_filter_add_tag:
 * @self: a filter being built
 * @tag: a tag the contacts must have, compared ignoring case
 */
void
xi_contact_filter_add_tag (XiContactFilter *self,
                           const char      *tag)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (tag != NULL);

  g_ptr_array_add (self->tags, fold_trimmed (tag));
  g_ptr_array_add (self->texts, g_strconcat ("#", tag, NULL));
}

/**
 * xi_contact_filter_set_opted_out:
 * @self: a filter being built
 * @opted_out: only contacts who opted out, or only those who did not
 */
void
xi_contact_filter_set_opted_out (XiContactFilter *self,
                                 gboolean         opted_out)
{
  g_return_if_fail (self != NULL);
  if (!xi_contact_filter_add_where (self, opted_out ? "opted_out=yes" : "opted_out=no", NULL))
    g_assert_not_reached ();
}

/**
 * xi_contact_filter_get_fields:
 * @self: a filter
 *
 * Returns: (transfer none) (array zero-terminated=1): the custom fields
 *   the conditions name, lower case, so that a caller can say which of
 *   them no contact has
 */
const char **
xi_contact_filter_get_fields (XiContactFilter *self)
{
  static const char *none[] = { NULL };

  g_return_val_if_fail (self != NULL, NULL);

  /* An empty array may have no storage at all yet. */
  return self->fields->len > 0 ? (const char **)self->fields->pdata : none;
}

/**
 * xi_contact_filter_is_empty:
 * @self: a filter
 *
 * Returns: whether every contact matches
 */
gboolean
xi_contact_filter_is_empty (XiContactFilter *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->conditions->len == 0 && self->tags->len == 0;
}

/* Whether a contact's own values meet @condition: @text is its name,
 * number or custom field's value, @tags its tags, @state its WhatsApp
 * state or opt-out flag, @in_set whether the resolved set names it (for
 * a group, whether it is a member). The contact
 * (xi_contact_filter_matches ()) and a row of the store
 * (xi_contact_filter_field_matches ()) are judged by this one test. */
static gboolean
condition_matches (const Condition    *condition,
                   const char         *text,
                   const char * const *tags,
                   int                 state,
                   gboolean            in_set)
{
  gboolean negated = condition->op == OP_NOT_EQUALS;

  switch (condition->kind)
    {
    case FIELD_TAG:
      return has_tag (tags, condition->value) != negated;
    case FIELD_WHATSAPP:
    case FIELD_OPTED_OUT:
      return (state == condition->state) != negated;
    case FIELD_GROUP:
    case FIELD_MESSAGED:
    case FIELD_REPLIED:
      {
        /* A set names the contacts in the group, ever messaged, or who
         * replied; "messaged=no" and "!=" want those outside it. */
        gboolean want = (condition->kind != FIELD_MESSAGED || condition->state == 1) != negated;

        g_return_val_if_fail (condition->ids != NULL, FALSE);
        return in_set == want;
      }
    case FIELD_NAME:
    case FIELD_PHONE:
    case FIELD_CUSTOM:
    default:
      return value_matches (condition, text);
    }
}

/* Whether @id is in the set @condition was resolved into. */
static gboolean
in_resolved_set (const Condition *condition,
                 const char      *id)
{
  return condition->ids != NULL && id != NULL && g_hash_table_contains (condition->ids, id);
}

/* Whether @contact is in the group @condition names. */
static gboolean
in_resolved_group (const Condition *condition,
                   XiContact       *contact)
{
  const char * const *group_ids = xi_contact_get_group_ids (contact);

  for (guint i = 0; group_ids[i] != NULL; i++)
    if (in_resolved_set (condition, group_ids[i]))
      return TRUE;
  return FALSE;
}

/**
 * xi_contact_filter_matches:
 * @self: a filter
 * @contact: a contact, on the thread that owns it
 *
 * Returns: whether @contact meets every condition of @self
 */
gboolean
xi_contact_filter_matches (XiContactFilter *self,
                           XiContact       *contact)
{
  const char * const *tags;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (XI_IS_CONTACT (contact), FALSE);

  tags = xi_contact_get_tags (contact);
  for (guint i = 0; i < self->tags->len; i++)
    if (!has_tag (tags, g_ptr_array_index (self->tags, i)))
      return FALSE;

  for (guint i = 0; i < self->conditions->len; i++)
    {
      const Condition *condition = g_ptr_array_index (self->conditions, i);
      const char *text = NULL;
      gboolean in_set = FALSE;
      int state = 0;

      switch (condition->kind)
        {
        case FIELD_NAME:
          text = xi_contact_get_name (contact);
          break;
        case FIELD_PHONE:
          text = xi_contact_get_phone (contact);
          break;
        case FIELD_WHATSAPP:
          state = (int)xi_contact_get_on_whatsapp (contact);
          break;
        case FIELD_OPTED_OUT:
          state = xi_contact_get_opted_out (contact);
          break;
        case FIELD_CUSTOM:
          /* Reading a contact's fields parses its JSON, by far the dearest
           * step over 100,000 contacts; a value that is nowhere in the
           * text cannot match, so most contacts are ruled out unparsed. */
          if (condition->in_raw)
            {
              const char *raw = _xi_contact_get_custom_json (contact);

              if (raw == NULL || !ascii_contains (raw, condition->value))
                return FALSE;
            }
          text = xi_contact_get_custom_field (contact, condition->key);
          break;
        case FIELD_GROUP:
          in_set = in_resolved_group (condition, contact);
          break;
        case FIELD_MESSAGED:
        case FIELD_REPLIED:
          in_set = in_resolved_set (condition, xi_contact_get_id (contact));
          break;
        case FIELD_TAG:
        default:
          break;
        }
      if (!condition_matches (condition, text, tags, state, in_set))
        return FALSE;
    }

  return TRUE;
}

/**
 * xi_contact_filter_new_from_search:
 * @text: what was typed in a search box
 * @free_text: (out) (transfer full): the words that are not conditions,
 *   joined by spaces, for the usual name and number search
 *
 * Reads the conditions typed among the search words: "kota:jak" (the
 * field contains the text, which suits typing), "kota=Jakarta" (is),
 * "kota!=Jakarta" (is not), and "#grosir" for a tag. A word that looks
 * like a condition but is not one stays plain text, so typing never
 * produces an error.
 *
 * Returns: (transfer full): the filter, empty when @text has no condition
 */
XiContactFilter *
xi_contact_filter_new_from_search (const char  *text,
                                   char       **free_text)
{
  g_autoptr(XiContactFilter) self = xi_contact_filter_new ();
  g_auto(GStrv) words = g_strsplit_set (text != NULL ? text : "", " \t", -1);
  g_autoptr(GString) rest = g_string_new (NULL);

  g_return_val_if_fail (free_text != NULL, NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      char *word = words[i];
      char *colon;

      if (word[0] == '\0')
        continue;
      if (word[0] == '#' && word[1] != '\0')
        {
          xi_contact_filter_add_tag (self, word + 1);
          continue;
        }
      /* "kota:jak" reads as "kota~jak"; a bare "kota:" is searched for as
       * typed, and a time such as 10:30 is no field name. */
      colon = strchr (word, ':');
      if (colon != NULL && colon != word && colon[1] != '\0' && strpbrk (word, "=~") == NULL)
        *colon = '~';
      else
        colon = NULL;
      if (strpbrk (word, "=~") != NULL && xi_contact_filter_add_where (self, word, NULL))
        {
          /* A search box tests contacts as they are loaded, so what only
           * the store can answer is searched for as text. */
          if (!is_resolved_kind (((Condition *)g_ptr_array_index (self->conditions,
                                                                   self->conditions->len - 1))->kind))
            continue;
          g_ptr_array_remove_index (self->conditions, self->conditions->len - 1);
          g_ptr_array_remove_index (self->texts, self->texts->len - 1);
        }
      if (colon != NULL)
        *colon = ':';

      if (rest->len > 0)
        g_string_append_c (rest, ' ');
      g_string_append (rest, word);
    }

  *free_text = g_string_free (g_steal_pointer (&rest), FALSE);
  return g_steal_pointer (&self);
}

/**
 * xi_contact_filter_new_from_conditions:
 * @conditions: (array zero-terminated=1): conditions as
 *   xi_contact_filter_add_where() reads them, or "#TAG"
 * @error: return location for a %XI_STORE_ERROR_INVALID error
 *
 * Builds the filter that xi_contact_filter_get_conditions() described,
 * as a saved segment stores it.
 *
 * Returns: (transfer full) (nullable): the filter, or %NULL with @error set
 */
XiContactFilter *
xi_contact_filter_new_from_conditions (const char * const  *conditions,
                                       GError             **error)
{
  g_autoptr(XiContactFilter) self = xi_contact_filter_new ();

  g_return_val_if_fail (conditions != NULL, NULL);

  for (guint i = 0; conditions[i] != NULL; i++)
    {
      if (conditions[i][0] == '#' && conditions[i][1] != '\0')
        xi_contact_filter_add_tag (self, conditions[i] + 1);
      else if (!xi_contact_filter_add_where (self, conditions[i], error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * xi_contact_filter_get_conditions:
 * @self: a filter
 *
 * Returns: (transfer none) (array zero-terminated=1): every condition as
 *   written, tags as "#TAG", in the order they were added
 */
const char * const *
xi_contact_filter_get_conditions (XiContactFilter *self)
{
  static const char *none[] = { NULL };

  g_return_val_if_fail (self != NULL, NULL);
  return self->texts->len > 0 ? (const char * const *)self->texts->pdata : none;
}

/**
 * xi_contact_filter_needs_resolving:
 * @self: a filter
 *
 * Returns: whether some condition names a group, the messages sent or
 *   the replies received, which only the store can answer
 */
gboolean
xi_contact_filter_needs_resolving (XiContactFilter *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->conditions->len; i++)
    if (is_resolved_kind (((Condition *)g_ptr_array_index (self->conditions, i))->kind))
      return TRUE;
  return FALSE;
}

/**
 * xi_contact_filter_resolve:
 * @self: a filter, not yet shared with another thread
 * @func: returns the set of contact ids that one condition names
 * @user_data: closure for @func
 * @error: return location for the error of @func
 *
 * Asks @func once for each condition that xi_contact_filter_needs_resolving()
 * means; the store calls this on its thread before testing contacts.
 *
 * Returns: %TRUE when every condition was resolved
 */
gboolean
xi_contact_filter_resolve (XiContactFilter            *self,
                           XiContactFilterResolveFunc  func,
                           gpointer                    user_data,
                           GError                    **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  for (guint i = 0; i < self->conditions->len; i++)
    {
      Condition *condition = g_ptr_array_index (self->conditions, i);
      XiContactFilterSet set;
      GHashTable *ids;

      switch (condition->kind)
        {
        case FIELD_GROUP:
          set = XI_CONTACT_FILTER_SET_GROUP;
          break;
        case FIELD_MESSAGED:
          set = XI_CONTACT_FILTER_SET_MESSAGED;
          break;
        case FIELD_REPLIED:
          set = XI_CONTACT_FILTER_SET_REPLIED;
          break;
        default:
          continue;
        }
      if ((ids = func (set, condition->value, user_data, error)) == NULL)
        return FALSE;
      g_clear_pointer (&condition->ids, g_hash_table_unref);
      condition->ids = ids;
    }
  return TRUE;
}

/**
 * xi_contact_filter_get_fields_pattern:
 * @self: a filter
 *
 * The store builds a contact only when its fields' JSON text could
 * match: every contact that matches @self has the text of its first
 * verbatim custom field condition in it, ignoring ASCII case, which is
 * what SQL's LIKE compares.
 *
 * Returns: (transfer full) (nullable): a LIKE pattern with "\" as its
 *   escape, or %NULL when no condition allows one
 */
char *
xi_contact_filter_get_fields_pattern (XiContactFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->conditions->len; i++)
    {
      const Condition *condition = g_ptr_array_index (self->conditions, i);
      GString *pattern;

      if (!condition->in_raw)
        continue;
      pattern = g_string_new ("%");
      for (const char *c = condition->value; *c != '\0'; c++)
        {
          if (*c == '%' || *c == '_')
            g_string_append_c (pattern, '\\');
          g_string_append_c (pattern, *c);
        }
      g_string_append_c (pattern, '%');
      return g_string_free (pattern, FALSE);
    }
  return NULL;
}

/* Appends the ids of the groups @condition names to an SQL list, each
 * written as a literal since the terms share no parameter but the
 * filter. */
static void
append_group_ids (const Condition *condition,
                  gboolean        *first,
                  GString         *sql)
{
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, condition->ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      g_string_append (sql, *first ? "'" : ", '");
      for (const char *c = id; *c != '\0'; c++)
        {
          if (*c == '\'')
            g_string_append_c (sql, '\'');
          g_string_append_c (sql, *c);
        }
      g_string_append_c (sql, '\'');
      *first = FALSE;
    }
}

#define MEMBERS_SQL "SELECT m.contact_id FROM group_members m WHERE m.deleted = 0 AND m.group_id IN ("

/* The members of the group @condition names, as a subquery read
 * straight from the primary key (group_id, contact_id). */
static void
append_members_sql (const Condition *condition,
                    GString         *sql)
{
  gboolean first = TRUE;

  g_string_append (sql, MEMBERS_SQL);
  append_group_ids (condition, &first, sql);
  g_string_append_c (sql, ')');
}

/* A membership term: SQLite reads the members into a temporary index
 * for the statement's length and probes it per row, so nothing outlives
 * the statement; at a million members this costs about half of probing
 * group_members row by row with EXISTS. */
static void
append_group_sql (const Condition *condition,
                  GString         *sql)
{
  g_return_if_fail (condition->ids != NULL);

  g_string_append (sql, condition->op == OP_NOT_EQUALS ? " AND c.id NOT IN (" : " AND c.id IN (");
  append_members_sql (condition, sql);
  g_string_append_c (sql, ')');
}

/**
 * xi_contact_filter_dup_members_sql:
 * @self: a filter, resolved
 *
 * Every contact that matches @self is in the group its first group=
 * condition names: a store can read those few members rather than every
 * contact.
 *
 * Returns: (transfer full) (nullable): an SQL query of one column, the
 *   ids of the group's members, or %NULL when no condition is group=
 */
char *
xi_contact_filter_dup_members_sql (XiContactFilter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->conditions->len; i++)
    {
      const Condition *condition = g_ptr_array_index (self->conditions, i);
      GString *sql;

      if (condition->kind != FIELD_GROUP || condition->op == OP_NOT_EQUALS || condition->ids == NULL)
        continue;
      sql = g_string_new (NULL);
      append_members_sql (condition, sql);
      return g_string_free (sql, FALSE);
    }
  return NULL;
}

/**
 * xi_contact_filter_dup_exclusions_sql:
 * @self: a filter, resolved
 *
 * A filter whose every condition leaves the members of a group out
 * (group!=) needs nothing of a contact but whether it is a member of one
 * of those groups: a store can walk the contacts' rowids in list order
 * and skip those members, without reading the table or sorting, when
 * they are few.
 *
 * Returns: (transfer full) (nullable): an SQL query of one column, the
 *   ids of the members of every group @self leaves out, or %NULL when
 *   @self is not such a filter
 */
char *
xi_contact_filter_dup_exclusions_sql (XiContactFilter *self)
{
  GString *sql;
  gboolean first = TRUE;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->tags->len > 0 || self->conditions->len == 0)
    return NULL;
  for (guint i = 0; i < self->conditions->len; i++)
    {
      const Condition *condition = g_ptr_array_index (self->conditions, i);

      if (condition->kind != FIELD_GROUP || condition->op != OP_NOT_EQUALS || condition->ids == NULL)
        return NULL;
    }

  /* Out of every group is out of their union. */
  sql = g_string_new (MEMBERS_SQL);
  for (guint i = 0; i < self->conditions->len; i++)
    append_group_ids (g_ptr_array_index (self->conditions, i), &first, sql);
  g_string_append_c (sql, ')');
  return g_string_free (sql, FALSE);
}

/**
 * xi_contact_filter_append_fields_sql:
 * @self: a filter, resolved when it names groups, campaigns or messages
 * @sql: a WHERE clause over the contacts table named `c`
 * @filter_param: the number of the parameter the caller binds @self to,
 *   with sqlite3_bind_pointer() and the type "XiContactFilter"
 *
 * Appends one AND term per condition and per tag, so the store decides
 * the whole filter on its rows without building contacts. Each hands the
 * store's xi_filter_field() function the row's value that the condition
 * reads, which tests it with xi_contact_filter_field_matches(): the same
 * test xi_contact_filter_matches() makes of a contact. A group is decided
 * by SQL alone, on the rows of group_members that also give a contact
 * its group ids (xi_contact_get_group_ids()). A custom field's
 * value is read out of the row's JSON by SQLite, as
 * xi_contact_get_custom_field() would (a string, or none).
 */
void
xi_contact_filter_append_fields_sql (XiContactFilter *self,
                                     GString         *sql,
                                     guint            filter_param)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (sql != NULL);

  for (guint i = 0; i < self->conditions->len; i++)
    {
      const Condition *condition = g_ptr_array_index (self->conditions, i);

      if (condition->kind == FIELD_GROUP)
        {
          append_group_sql (condition, sql);
          continue;
        }
      g_string_append_printf (sql, " AND xi_filter_field (?%u, %u, ", filter_param, i);
      switch (condition->kind)
        {
        case FIELD_NAME:
          g_string_append (sql, "c.name)");
          break;
        case FIELD_PHONE:
          g_string_append (sql, "c.phone)");
          break;
        case FIELD_TAG:
          g_string_append (sql, "c.tags)");
          break;
        case FIELD_WHATSAPP:
          g_string_append (sql, "c.on_whatsapp)");
          break;
        case FIELD_OPTED_OUT:
          g_string_append (sql, "c.opted_out)");
          break;
        case FIELD_MESSAGED:
        case FIELD_REPLIED:
          g_string_append (sql, "c.id)");
          break;
        case FIELD_GROUP:
        case FIELD_CUSTOM:
        default:
          /* The key is ASCII letters, digits and "_" (is_field_name ()),
           * so it needs no quoting in a JSON path or an SQL string. */
          g_string_append_printf (sql,
                                  "CASE WHEN json_valid (c.custom_fields)"
                                  " AND json_type (c.custom_fields, '$.%s') = 'text'"
                                  " THEN json_extract (c.custom_fields, '$.%s') END)",
                                  condition->key, condition->key);
          break;
        }
    }
  for (guint i = 0; i < self->tags->len; i++)
    g_string_append_printf (sql, " AND xi_filter_field (?%u, %u, c.tags)", filter_param,
                            self->conditions->len + i);
}

/**
 * xi_contact_filter_field_matches:
 * @self: a filter
 * @index: which of its terms, as xi_contact_filter_append_fields_sql()
 *   numbers them
 * @value: (nullable): the row's value that the term reads: text, a
 *   number written in digits, or the tags as a JSON array
 *
 * Returns: whether @value meets the condition
 */
gboolean
xi_contact_filter_field_matches (XiContactFilter *self,
                                 guint            index,
                                 const char      *value)
{
  const Condition *condition;
  g_auto(GStrv) tags = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (index < self->conditions->len + self->tags->len, FALSE);

  if (index >= self->conditions->len)
    {
      tags = _xi_strv_from_json (value);
      return has_tag ((const char * const *)tags,
                      g_ptr_array_index (self->tags, index - self->conditions->len));
    }

  condition = g_ptr_array_index (self->conditions, index);
  if (condition->kind == FIELD_TAG)
    tags = _xi_strv_from_json (value);
  g_return_val_if_fail (condition->kind != FIELD_GROUP, FALSE);
  return condition_matches (condition, value, (const char * const *)tags,
                            value != NULL ? atoi (value) : 0, in_resolved_set (condition, value));
}
