/* xi-contact.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-contact"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "xi-contact-private.h"
#include "xi-core-enums.h"
#include "xi-limits.h"
#include "xi-phone.h"

/*
 * A contact as the UI sees it. Created by the store thread and handed over
 * whole; from then on only the main thread touches it. Up to a few hundred
 * thousand of these live in memory, so the custom fields stay as the JSON
 * text the store keeps and are parsed only when somebody asks for one.
 */
struct _XiContact
{
  GObject        parent_instance;

  char          *id;
  char          *name;
  char          *phone;
  char         **tags;
  char          *notes;
  char          *custom_json;
  JsonObject    *custom;        /* lazily parsed from custom_json */
  char         **group_ids;
  char          *name_key;      /* casefolded name, for searching */
  char          *sort_key;      /* made on first comparison */
  char          *phone_display; /* the number written for people, made on first use */
  char          *updated_at;
  gint64         version;
  gint64         on_whatsapp_checked_at;
  XiOnWhatsApp   on_whatsapp;
  guint          opted_out : 1;
};

G_DEFINE_FINAL_TYPE (XiContact, xi_contact, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PHONE,
  PROP_NOTES,
  PROP_OPTED_OUT,
  PROP_ON_WHATSAPP,
  PROP_TAGS,
  PROP_GROUP_IDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static const char *empty_strv[] = { NULL };

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
ensure_custom (XiContact *self)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (self->custom != NULL)
    return;

  if (self->custom_json != NULL && self->custom_json[0] != '\0')
    {
      parser = json_parser_new ();
      if (json_parser_load_from_data (parser, self->custom_json, -1, NULL) &&
          (root = json_parser_get_root (parser)) != NULL &&
          JSON_NODE_HOLDS_OBJECT (root))
        self->custom = json_object_ref (json_node_get_object (root));
    }

  if (self->custom == NULL)
    self->custom = json_object_new ();
}

static void
xi_contact_finalize (GObject *object)
{
  XiContact *self = (XiContact *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->phone, g_free);
  g_clear_pointer (&self->tags, g_strfreev);
  g_clear_pointer (&self->notes, g_free);
  g_clear_pointer (&self->custom_json, g_free);
  g_clear_pointer (&self->custom, json_object_unref);
  g_clear_pointer (&self->group_ids, g_strfreev);
  g_clear_pointer (&self->name_key, g_free);
  g_clear_pointer (&self->sort_key, g_free);
  g_clear_pointer (&self->phone_display, g_free);
  g_clear_pointer (&self->updated_at, g_free);

  G_OBJECT_CLASS (xi_contact_parent_class)->finalize (object);
}

static void
xi_contact_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  XiContact *self = XI_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_NOTES:
      g_value_set_string (value, self->notes);
      break;
    case PROP_OPTED_OUT:
      g_value_set_boolean (value, self->opted_out);
      break;
    case PROP_ON_WHATSAPP:
      g_value_set_enum (value, self->on_whatsapp);
      break;
    case PROP_TAGS:
      g_value_set_boxed (value, self->tags);
      break;
    case PROP_GROUP_IDS:
      g_value_set_boxed (value, self->group_ids);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_contact_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  XiContact *self = XI_CONTACT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      xi_contact_set_name (self, g_value_get_string (value));
      break;
    case PROP_PHONE:
      xi_contact_set_phone (self, g_value_get_string (value));
      break;
    case PROP_NOTES:
      xi_contact_set_notes (self, g_value_get_string (value));
      break;
    case PROP_OPTED_OUT:
      xi_contact_set_opted_out (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_contact_class_init (XiContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_contact_finalize;
  object_class->get_property = xi_contact_get_property;
  object_class->set_property = xi_contact_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PHONE] =
    g_param_spec_string ("phone", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_NOTES] =
    g_param_spec_string ("notes", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_OPTED_OUT] =
    g_param_spec_boolean ("opted-out", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ON_WHATSAPP] =
    g_param_spec_enum ("on-whatsapp", NULL, NULL,
                       XI_TYPE_ON_WHATS_APP, XI_ON_WHATSAPP_UNKNOWN,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_GROUP_IDS] =
    g_param_spec_boxed ("group-ids", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_contact_init (XiContact *self)
{
  self->tags = g_new0 (char *, 1);
  self->group_ids = g_new0 (char *, 1);
}

/**
 * xi_contact_new:
 *
 * Creates a contact that is not yet in the store (it has no id).
 *
 * Returns: (transfer full): a new #XiContact
 */
XiContact *
xi_contact_new (void)
{
  return g_object_new (XI_TYPE_CONTACT, NULL);
}

/* Used by the store thread: fills every field without notifications. */
XiContact *
_xi_contact_new_from_store (const char          *id,
                            const char          *name,
                            const char          *phone,
                            const char          *tags_json,
                            const char          *notes,
                            const char          *custom_json,
                            const char          *group_ids_csv,
                            XiOnWhatsApp         on_whatsapp,
                            gint64               on_whatsapp_checked_at,
                            gboolean             opted_out,
                            gint64               version,
                            const char          *updated_at)
{
  XiContact *self = g_object_new (XI_TYPE_CONTACT, NULL);

  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->name_key = name != NULL ? g_utf8_casefold (name, -1) : NULL;
  self->phone = g_strdup (phone);
  self->notes = g_strdup (notes);
  self->custom_json = g_strdup (custom_json);
  self->on_whatsapp = on_whatsapp;
  self->on_whatsapp_checked_at = on_whatsapp_checked_at;
  self->opted_out = !!opted_out;
  self->version = version;
  self->updated_at = g_strdup (updated_at);

  if (tags_json != NULL && tags_json[0] == '[' && tags_json[1] != ']')
    {
      g_strfreev (self->tags);
      self->tags = _xi_strv_from_json (tags_json);
    }

  if (group_ids_csv != NULL && group_ids_csv[0] != '\0')
    {
      g_strfreev (self->group_ids);
      self->group_ids = g_strsplit (group_ids_csv, ",", -1);
    }

  return self;
}

char **
_xi_strv_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *root;

  if (json != NULL &&
      json_parser_load_from_data (parser, json, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL &&
      JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *s = json_array_get_string_element (array, i);
          if (s != NULL)
            g_strv_builder_add (builder, s);
        }
    }

  return g_strv_builder_end (builder);
}

/* Appends @value as a JSON string literal. Hand-written because imports
 * build one small JSON value per row, 100,000 times in a row. */
void
_xi_json_append_string (GString    *out,
                        const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if ((guchar)*p < 0x20)
            g_string_append_printf (out, "\\u%04x", (guchar)*p);
          else
            g_string_append_c (out, *p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

char *
_xi_strv_to_json (const char * const *strv)
{
  GString *out;

  if (strv == NULL || strv[0] == NULL)
    return g_strdup ("[]");

  out = g_string_new ("[");
  for (guint i = 0; strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      _xi_json_append_string (out, strv[i]);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

const char *
_xi_contact_get_custom_json (XiContact *self)
{
  g_autoptr(JsonNode) node = NULL;

  /* Once parsed, the object is the truth: it may have been edited. */
  if (self->custom != NULL)
    {
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, self->custom);
      g_free (self->custom_json);
      self->custom_json = json_to_string (node, FALSE);
    }

  return self->custom_json != NULL ? self->custom_json : "{}";
}

/**
 * xi_contact_copy:
 * @self: a #XiContact
 *
 * Copies every field, so the copy can be handed to the store thread.
 *
 * Returns: (transfer full): a new #XiContact
 */
XiContact *
xi_contact_copy (XiContact *self)
{
  g_autofree char *tags_json = NULL;
  g_autofree char *groups = NULL;
  XiContact *copy;

  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);

  tags_json = _xi_strv_to_json ((const char * const *)self->tags);
  groups = g_strjoinv (",", self->group_ids);
  copy = _xi_contact_new_from_store (self->id, self->name, self->phone, tags_json,
                                     self->notes, _xi_contact_get_custom_json (self),
                                     groups, self->on_whatsapp,
                                     self->on_whatsapp_checked_at, self->opted_out,
                                     self->version, self->updated_at);
  return copy;
}

/**
 * xi_contact_update_from:
 * @self: the contact shown in the UI
 * @saved: the copy the store returned after saving
 *
 * Takes over every field of @saved and notifies what changed, so bound
 * widgets update.
 */
void
xi_contact_update_from (XiContact *self,
                        XiContact *saved)
{
  g_return_if_fail (XI_IS_CONTACT (self));
  g_return_if_fail (XI_IS_CONTACT (saved));

  g_object_freeze_notify (G_OBJECT (self));

  if (set_string (&self->id, saved->id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  xi_contact_set_name (self, saved->name);
  xi_contact_set_phone (self, saved->phone);
  xi_contact_set_notes (self, saved->notes);
  xi_contact_set_tags (self, (const char * const *)saved->tags);
  xi_contact_set_group_ids (self, (const char * const *)saved->group_ids);
  xi_contact_set_opted_out (self, saved->opted_out);

  g_clear_pointer (&self->custom, json_object_unref);
  g_free (self->custom_json);
  self->custom_json = g_strdup (_xi_contact_get_custom_json (saved));

  if (self->on_whatsapp != saved->on_whatsapp)
    {
      self->on_whatsapp = saved->on_whatsapp;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ON_WHATSAPP]);
    }
  self->on_whatsapp_checked_at = saved->on_whatsapp_checked_at;
  self->version = saved->version;
  set_string (&self->updated_at, saved->updated_at);

  g_object_thaw_notify (G_OBJECT (self));
}

const char *
xi_contact_get_id (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);
  return self->id;
}

const char *
xi_contact_get_name (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);
  return self->name;
}

/**
 * xi_contact_get_display_name:
 * @self: a #XiContact
 *
 * What to call the contact: its name, or for a contact without one the
 * number as people write it ("+62 812-3456-7890"). Call it on the thread
 * that owns the contact; the number is formatted on first use.
 *
 * Returns: the name or the formatted number
 */
const char *
xi_contact_get_display_name (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);

  if (xi_contact_has_name (self))
    return self->name;
  if (self->phone == NULL)
    return "";
  if (self->phone_display == NULL)
    self->phone_display = xi_phone_format_international (self->phone);
  return self->phone_display;
}

/**
 * xi_contact_has_name:
 * @self: a #XiContact
 *
 * Returns: whether the contact has a name with something besides spaces
 */
gboolean
xi_contact_has_name (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), FALSE);

  return self->name_key != NULL && self->name_key[strspn (self->name_key, " \t")] != '\0';
}

void
xi_contact_set_name (XiContact  *self,
                     const char *name)
{
  g_return_if_fail (XI_IS_CONTACT (self));

  if (!set_string (&self->name, name))
    return;

  g_free (self->name_key);
  self->name_key = name != NULL ? g_utf8_casefold (name, -1) : NULL;
  g_clear_pointer (&self->sort_key, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
xi_contact_get_phone (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);
  return self->phone;
}

void
xi_contact_set_phone (XiContact  *self,
                      const char *phone)
{
  g_return_if_fail (XI_IS_CONTACT (self));

  if (!set_string (&self->phone, phone))
    return;

  g_clear_pointer (&self->phone_display, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHONE]);
}

const char * const *
xi_contact_get_tags (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), empty_strv);
  return (const char * const *)self->tags;
}

void
xi_contact_set_tags (XiContact          *self,
                     const char * const *tags)
{
  g_return_if_fail (XI_IS_CONTACT (self));

  if (tags == NULL)
    tags = empty_strv;
  if (g_strv_equal ((const char * const *)self->tags, tags))
    return;

  g_strfreev (self->tags);
  self->tags = g_strdupv ((char **)tags);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
}

const char *
xi_contact_get_notes (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);
  return self->notes;
}

void
xi_contact_set_notes (XiContact  *self,
                      const char *notes)
{
  g_return_if_fail (XI_IS_CONTACT (self));

  if (set_string (&self->notes, notes))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTES]);
}

/**
 * xi_contact_get_custom_field:
 * @self: a #XiContact
 * @key: a custom field name, lower case
 *
 * Returns: (nullable): the value, or %NULL when the contact has none
 */
const char *
xi_contact_get_custom_field (XiContact  *self,
                             const char *key)
{
  JsonNode *node;

  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  ensure_custom (self);
  node = json_object_get_member (self->custom, key);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/**
 * xi_contact_set_custom_field:
 * @self: a #XiContact
 * @key: a custom field name
 * @value: (nullable): the value; %NULL or "" removes the field
 */
void
xi_contact_set_custom_field (XiContact  *self,
                             const char *key,
                             const char *value)
{
  g_return_if_fail (XI_IS_CONTACT (self));
  g_return_if_fail (key != NULL && key[0] != '\0');

  ensure_custom (self);
  if (value == NULL || value[0] == '\0')
    json_object_remove_member (self->custom, key);
  else
    json_object_set_string_member (self->custom, key, value);
}

/**
 * xi_contact_dup_custom_field_names:
 * @self: a #XiContact
 *
 * Returns: (transfer full): the names of the fields this contact has
 */
char **
xi_contact_dup_custom_field_names (XiContact *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);

  ensure_custom (self);
  members = json_object_get_members (self->custom);
  for (const GList *l = members; l != NULL; l = l->next)
    g_strv_builder_add (builder, l->data);

  return g_strv_builder_end (builder);
}

/**
 * xi_contact_check_limits:
 * @self: a #XiContact
 * @error: return location for a #GError in %XI_LIMIT_ERROR
 *
 * Checks the name, tags, notes and custom fields against the bounds of
 * xi-limits.h, as the store does before saving the contact.
 *
 * Returns: whether every field is within its limit
 */
gboolean
xi_contact_check_limits (XiContact  *self,
                         GError    **error)
{
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (XI_IS_CONTACT (self), FALSE);

  if (!xi_limit_check_name (self->name, error) ||
      !xi_limit_check_tags ((const char * const *)self->tags, error) ||
      !xi_limit_check_notes (self->notes, error))
    return FALSE;

  keys = xi_contact_dup_custom_field_names (self);
  if (!xi_limit_check_field_count (g_strv_length (keys), error))
    return FALSE;
  for (guint i = 0; keys[i] != NULL; i++)
    if (!xi_limit_check_field (keys[i], xi_contact_get_custom_field (self, keys[i]), error))
      return FALSE;
  return TRUE;
}

/* Fitting a contact from elsewhere */

static gboolean
holds_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* @text cut to @max characters; sets @changed when that changed it. */
static char *
fit_text (const char *text,
          guint       max,
          gboolean   *changed)
{
  char *fitted = xi_limit_cut_text (text, max);

  if (strcmp (fitted, text) != 0)
    *changed = TRUE;
  return fitted;
}

/* A text member: a string, or null for none. */
static gboolean
fit_text_member (JsonObject *row,
                 const char *member,
                 guint       max)
{
  JsonNode *node = json_object_get_member (row, member);
  g_autofree char *text = NULL;
  gboolean changed = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (!holds_string (node))
    {
      json_object_set_null_member (row, member);
      return TRUE;
    }
  text = fit_text (json_node_get_string (node), max, &changed);
  if (changed)
    json_object_set_string_member (row, member, text);
  return changed;
}

/* The first tags, each cut to its length; what is not text is dropped. */
static gboolean
fit_tags (JsonObject *row)
{
  JsonNode *node = json_object_get_member (row, "tags");
  JsonArray *tags;
  g_autoptr(JsonArray) fitted = NULL;
  gboolean changed = FALSE;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  tags = json_node_get_array (node);
  n = json_array_get_length (tags);
  fitted = json_array_sized_new (MIN (n, XI_LIMIT_TAGS));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *tag = json_array_get_element (tags, i);
      g_autofree char *text = NULL;

      if (!holds_string (tag) || json_array_get_length (fitted) == XI_LIMIT_TAGS)
        {
          changed = TRUE;
          continue;
        }
      text = fit_text (json_node_get_string (tag), XI_LIMIT_TAG_CHARS, &changed);
      json_array_add_string_element (fitted, text);
    }
  if (changed)
    json_object_set_array_member (row, "tags", g_steal_pointer (&fitted));
  return changed;
}

/* Custom fields are template variables, so a field whose name is too
 * long to type, or whose value is not text, cannot be used and is
 * dropped; of the rest the first by name are kept, so that every
 * computer keeps the same ones. */
static gboolean
fit_custom_fields (JsonObject *row)
{
  JsonNode *node = json_object_get_member (row, "custom_fields");
  JsonObject *fields;
  g_autoptr(GList) names = NULL;
  g_autoptr(JsonObject) fitted = NULL;
  gboolean changed = FALSE;
  guint kept = 0;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  fields = json_node_get_object (node);
  names = g_list_sort (json_object_get_members (fields), (GCompareFunc) strcmp);
  fitted = json_object_new ();
  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (fields, name);
      g_autofree char *text = NULL;

      if (!holds_string (value) || name[0] == '\0' || !g_utf8_validate (name, -1, NULL) ||
          !xi_limit_check_field (name, NULL, NULL) || kept == XI_LIMIT_FIELDS)
        {
          changed = TRUE;
          continue;
        }
      text = fit_text (json_node_get_string (value), XI_LIMIT_FIELD_CHARS, &changed);
      json_object_set_string_member (fitted, name, text);
      kept++;
    }
  if (changed)
    json_object_set_object_member (row, "custom_fields", g_steal_pointer (&fitted));
  return changed;
}

/**
 * _xi_contact_fit_json:
 * @row: a contact in its synced form: `name`, `notes`, `tags` and
 *   `custom_fields` members
 *
 * Brings a contact that another program wrote (a server's row, another
 * computer's) within the limits of xi-limits.h that the editor, the
 * command line and imports hold people to: names, notes, tags and
 * custom fields are cut to their lengths, the first %XI_LIMIT_TAGS tags
 * and %XI_LIMIT_FIELDS custom fields (by name) are kept. Nobody is
 * asked to fix such a row, so it is fitted rather than refused: refused,
 * it would stop every later change from arriving, and this computer
 * could not save the contact again.
 *
 * Returns: whether @row changed
 */
gboolean
_xi_contact_fit_json (JsonObject *row)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (row != NULL, FALSE);

  changed |= fit_text_member (row, "name", XI_LIMIT_NAME_CHARS);
  changed |= fit_text_member (row, "notes", XI_LIMIT_NOTES_CHARS);
  changed |= fit_tags (row);
  changed |= fit_custom_fields (row);
  return changed;
}

const char * const *
xi_contact_get_group_ids (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), empty_strv);
  return (const char * const *)self->group_ids;
}

void
xi_contact_set_group_ids (XiContact          *self,
                          const char * const *group_ids)
{
  g_return_if_fail (XI_IS_CONTACT (self));

  if (group_ids == NULL)
    group_ids = empty_strv;
  if (g_strv_equal ((const char * const *)self->group_ids, group_ids))
    return;

  g_strfreev (self->group_ids);
  self->group_ids = g_strdupv ((char **)group_ids);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_IDS]);
}

gboolean
xi_contact_is_in_group (XiContact  *self,
                        const char *group_id)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), FALSE);
  g_return_val_if_fail (group_id != NULL, FALSE);

  return g_strv_contains ((const char * const *)self->group_ids, group_id);
}

void
xi_contact_add_group_id (XiContact  *self,
                         const char *group_id)
{
  guint len;

  g_return_if_fail (XI_IS_CONTACT (self));
  g_return_if_fail (group_id != NULL);

  if (xi_contact_is_in_group (self, group_id))
    return;

  len = g_strv_length (self->group_ids);
  self->group_ids = g_renew (char *, self->group_ids, len + 2);
  self->group_ids[len] = g_strdup (group_id);
  self->group_ids[len + 1] = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_IDS]);
}

void
xi_contact_remove_group_id (XiContact  *self,
                            const char *group_id)
{
  guint j = 0;

  g_return_if_fail (XI_IS_CONTACT (self));
  g_return_if_fail (group_id != NULL);

  for (guint i = 0; self->group_ids[i] != NULL; i++)
    {
      if (g_strcmp0 (self->group_ids[i], group_id) == 0)
        g_free (self->group_ids[i]);
      else
        self->group_ids[j++] = self->group_ids[i];
    }
  if (self->group_ids[j] != NULL)
    {
      self->group_ids[j] = NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_IDS]);
    }
}

XiOnWhatsApp
xi_contact_get_on_whatsapp (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), XI_ON_WHATSAPP_UNKNOWN);
  return self->on_whatsapp;
}

gint64
xi_contact_get_on_whatsapp_checked_at (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), 0);
  return self->on_whatsapp_checked_at;
}

gboolean
xi_contact_get_opted_out (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), FALSE);
  return self->opted_out;
}

void
xi_contact_set_opted_out (XiContact *self,
                          gboolean   opted_out)
{
  g_return_if_fail (XI_IS_CONTACT (self));

  opted_out = !!opted_out;
  if (self->opted_out == (guint)opted_out)
    return;

  self->opted_out = opted_out;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTED_OUT]);
}

/**
 * xi_contact_set_on_whatsapp:
 * @on_whatsapp: what a check found
 * @checked_at: when, Unix seconds
 *
 * Records, on this copy, the answer of a check the store has saved.
 */
void
xi_contact_set_on_whatsapp (XiContact    *self,
                            XiOnWhatsApp  on_whatsapp,
                            gint64        checked_at)
{
  g_return_if_fail (XI_IS_CONTACT (self));

  if (self->on_whatsapp == on_whatsapp && self->on_whatsapp_checked_at == checked_at)
    return;
  /* The date is part of what the list shows with the answer. */
  self->on_whatsapp = on_whatsapp;
  self->on_whatsapp_checked_at = checked_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ON_WHATSAPP]);
}

gint64
xi_contact_get_version (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), 0);
  return self->version;
}

const char *
xi_contact_get_updated_at (XiContact *self)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);
  return self->updated_at;
}

/* Whether a casefolded name or a stored number matches a casefolded
 * needle, as xi_contact_matches() says; the store's search calls it on
 * rows without making contacts of them. */
gboolean
_xi_contact_text_matches (const char *name_key,
                          const char *phone,
                          const char *casefolded_needle)
{
  char digits[32];
  gsize n_digits = 0;
  gboolean only_number_chars = TRUE;
  const char *digit_needle;

  if (casefolded_needle == NULL || casefolded_needle[0] == '\0')
    return TRUE;

  if (name_key != NULL && strstr (name_key, casefolded_needle) != NULL)
    return TRUE;

  if (phone == NULL)
    return FALSE;

  for (const char *p = casefolded_needle; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (n_digits < sizeof digits - 1)
            digits[n_digits++] = *p;
        }
      else if (strchr ("+-() .", *p) == NULL)
        only_number_chars = FALSE;
    }
  digits[n_digits] = '\0';

  if (!only_number_chars || n_digits == 0)
    return FALSE;

  digit_needle = digits;
  while (digit_needle[0] == '0' && digit_needle[1] != '\0')
    digit_needle++;

  return strstr (phone, digit_needle) != NULL;
}

/**
 * xi_contact_matches:
 * @self: a #XiContact
 * @casefolded_needle: search text, already passed through g_utf8_casefold()
 *
 * Whether the contact's name contains the needle, or its number contains
 * the needle's digits. People type numbers the way they write them, so a
 * needle in local form ("0812…") is matched without its trunk zero against
 * the stored international digits ("62812…").
 *
 * Returns: %TRUE on a match
 */
gboolean
xi_contact_matches (XiContact  *self,
                    const char *casefolded_needle)
{
  g_return_val_if_fail (XI_IS_CONTACT (self), FALSE);

  return _xi_contact_text_matches (self->name_key, self->phone, casefolded_needle);
}

/**
 * xi_contact_lookup_variable:
 * @variable: a template variable, lower case
 * @contact: (type XiContact): the recipient
 *
 * The #XiTemplateLookupFunc for rendering a template for @contact:
 * "name", "phone" (E.164 digits) and custom fields. Derived variables
 * such as "first_name" are left to the template engine.
 *
 * Returns: (nullable): the value, or %NULL when the contact has none
 */
const char *
xi_contact_lookup_variable (const char *variable,
                            gpointer    contact)
{
  XiContact *self = contact;

  g_return_val_if_fail (XI_IS_CONTACT (self), NULL);

  if (g_str_equal (variable, "name"))
    return self->name;
  if (g_str_equal (variable, "phone"))
    return self->phone;
  if (g_str_equal (variable, "first_name"))
    return NULL;
  return xi_contact_get_custom_field (self, variable);
}

/* Appends a run of ASCII digits so that keys compare as the numbers do:
 * the count of significant digits first, then the digits. The count is
 * written in digits too, as "9" for every eight beyond the first eight
 * and then 1 to 8, so that a longer count still compares greater and a
 * number still sorts where a digit would among other characters. Leading
 * zeros are dropped: "007" and "7" are the same number, and the phone
 * number decides between them. */
static void
append_number_key (GString    *key,
                   const char *digits,
                   gsize       n_digits)
{
  gsize significant;

  while (n_digits > 1 && digits[0] == '0')
    {
      digits++;
      n_digits--;
    }
  for (significant = n_digits; significant > 8; significant -= 8)
    g_string_append_c (key, '9');
  g_string_append_c (key, (char)('0' + significant));
  g_string_append_len (key, digits, n_digits);
}

/**
 * _xi_contact_sort_key:
 * @name: (nullable): a contact's name, as stored
 *
 * The key contact lists are ordered by, compared byte by byte (the
 * store's contacts_order index holds it, so any two processes and any
 * locale agree on it): named contacts first, by their name ignoring case
 * and accents, numbers in names compared as numbers ("Pelanggan 2"
 * before "Pelanggan 10"); then the contacts without a name, whose
 * number decides.
 *
 * Returns: (transfer full): the key, never %NULL
 */
char *
_xi_contact_sort_key (const char *name)
{
  g_autofree char *valid = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *decomposed = NULL;
  GString *key;
  const char *p;

  if (name == NULL || name[strspn (name, " \t")] == '\0')
    return g_strdup ("2");

  /* Most names are ASCII, which needs neither folding nor decomposing
   * beyond lower case; an import writes a key for every row. */
  for (p = name; *p != '\0' && (guchar)*p < 0x80; p++)
    ;
  if (*p == '\0')
    {
      const char *end = name + strlen (name);

      while (g_ascii_isspace (*name))
        name++;
      while (end > name && g_ascii_isspace (end[-1]))
        end--;
      key = g_string_sized_new ((gsize)(end - name) + 4);
      g_string_append_c (key, '1');
      for (p = name; p < end;)
        {
          const char *run = p;

          if (g_ascii_isdigit (*p))
            {
              while (p < end && g_ascii_isdigit (*p))
                p++;
              append_number_key (key, run, (gsize)(p - run));
            }
          else
            g_string_append_c (key, g_ascii_tolower (*p++));
        }
      return g_string_free (key, FALSE);
    }

  valid = g_utf8_make_valid (name, -1);
  folded = g_utf8_casefold (g_strstrip (valid), -1);
  decomposed = g_utf8_normalize (folded, -1, G_NORMALIZE_ALL);
  key = g_string_sized_new (strlen (decomposed) + 4);
  g_string_append_c (key, '1');

  for (p = decomposed; *p != '\0';)
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (g_ascii_isdigit (*p))
        {
          for (next = p; g_ascii_isdigit (*next); next++)
            ;
          append_number_key (key, p, (gsize)(next - p));
        }
      else if (type != G_UNICODE_NON_SPACING_MARK && type != G_UNICODE_ENCLOSING_MARK)
        g_string_append_len (key, p, next - p);
      p = next;
    }

  return g_string_free (key, FALSE);
}

/**
 * xi_contact_compare:
 * @a: a #XiContact
 * @b: another #XiContact
 *
 * The order of contact lists, as the store lists them: by name ignoring
 * case and accents, numbers in names by their value, contacts without a
 * name last, then by number.
 *
 * Returns: < 0, 0 or > 0, like strcmp()
 */
int
xi_contact_compare (XiContact *a,
                    XiContact *b)
{
  int by_name;

  if (a->sort_key == NULL)
    a->sort_key = _xi_contact_sort_key (a->name);
  if (b->sort_key == NULL)
    b->sort_key = _xi_contact_sort_key (b->name);

  by_name = strcmp (a->sort_key, b->sort_key);
  return by_name != 0 ? by_name : g_strcmp0 (a->phone, b->phone);
}
