/* xi-contact-list.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-contact-list"

#include "config.h"

#include "xi-contact-list.h"

/*
 * XiContactList: a GListModel of XiContact over the store, for lists of
 * any size. The store answers the list's order, search and filter as row
 * keys (eight bytes a contact); the contacts themselves are loaded a page
 * at a time when a widget asks for one, and at most MAX_PAGES pages are
 * kept, the least recently used dropped first. Until its page arrives an
 * item is a placeholder, an empty XiContact, which the page's arrival
 * fills in place (views follow their items' notifications), so rows keep
 * their widgets and the focus. When the keys change, only
 * the span between what the old and the new list share at either end is
 * announced as changed, so a view keeps its place, and the pages that
 * were shown are loaded again; meanwhile their old contacts stand in.
 *
 * Main thread only.
 */

/* Contacts a page holds: a screenful and then some, for one store call. */
#define PAGE_SIZE 128
/* Pages kept: 2,048 contacts, whatever the size of the list. */
#define MAX_PAGES 16

typedef struct
{
  guint      index;
  GPtrArray *contacts;   /* XiContact, NULL where the contact is gone */
  GList      link;       /* in the list's LRU queue, data is the page */
} Page;

struct _XiContactList
{
  GObject          parent_instance;

  XiStore         *store;
  char            *text;               /* the search, or NULL */
  XiContactFilter *filter;             /* the conditions, or NULL */
  GArray          *keys;               /* gint64 rowids, in list order */
  GHashTable      *pages;              /* page index -> Page */
  GQueue           lru;                /* Page, most recently used first */
  GHashTable      *requested;          /* page indexes being loaded */
  GHashTable      *stale;              /* gint64 key -> XiContact handed out before its page came:
                                        * shown before the keys changed, or a placeholder */
  GHashTable      *handed;             /* gint64 key -> GWeakRef of the contact last handed out */
  guint            handed_limit;       /* its size at which dead entries are dropped */
  guint            generation;         /* bumped with every new set of keys */
  GCancellable    *cancellable;        /* page loads, until dispose */
  GCancellable    *keys_cancellable;   /* the key listing under way */
  gboolean         loading;            /* a key listing is under way */
  gboolean         refresh_again;      /* and rows changed while it ran */
  gboolean         nobody;             /* emptied: lists nobody until the next query */
  GThread         *owner;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiContactList, xi_contact_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A load under way does not keep the list alive: once the list is
 * gone, its answer is dropped. */
typedef struct
{
  GWeakRef self;
  guint    index;
  guint    generation;
} PageRequest;

/* Auxiliary methods */

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->contacts);
  g_free (page);
}

static void
page_request_free (PageRequest *request)
{
  g_weak_ref_clear (&request->self);
  g_free (request);
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GWeakRef, weak_ref_free)

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PageRequest, page_request_free)

static gboolean
weak_ref_is_dead (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  g_autoptr(GObject) object = g_weak_ref_get (value);

  return object == NULL;
}

/* A view keeps the contacts of the rows it shows however long ago their
 * page was dropped (selecting every row loads them all, and the first
 * pages leave the cache): what is handed out is remembered, so that new
 * keys load again the rows still shown and bring up to date the very
 * objects they show. */
static void
remember_handed (XiContactList *self,
                 gint64         key,
                 XiContact     *contact)
{
  GWeakRef *ref = g_hash_table_lookup (self->handed, &key);

  if (ref != NULL)
    {
      g_weak_ref_set (ref, contact);
      return;
    }
  g_hash_table_insert (self->handed, g_memdup2 (&key, sizeof key), weak_ref_new (contact));
  if (g_hash_table_size (self->handed) >= self->handed_limit)
    {
      g_hash_table_foreach_remove (self->handed, weak_ref_is_dead, NULL);
      self->handed_limit = MAX (MAX_PAGES * PAGE_SIZE * 2, g_hash_table_size (self->handed) * 2);
    }
}

static void
drop_pages (XiContactList *self)
{
  /* The queue's links live in the pages, which the table frees. */
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->pages);
  g_hash_table_remove_all (self->requested);
}

static void
set_loading (XiContactList *self,
             gboolean       loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
store_page (XiContactList *self,
            guint          index,
            GPtrArray     *contacts)
{
  Page *page = g_new0 (Page, 1);

  page->index = index;
  page->contacts = contacts;
  page->link.data = page;
  g_hash_table_replace (self->pages, GUINT_TO_POINTER (index), page);
  g_queue_push_head_link (&self->lru, &page->link);

  while (self->lru.length > MAX_PAGES)
    {
      Page *oldest = g_queue_peek_tail (&self->lru);

      g_queue_unlink (&self->lru, &oldest->link);
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (oldest->index));
    }
}

static void
page_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PageRequest) request = user_data;
  g_autoptr(XiContactList) self = g_weak_ref_get (&request->self);
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  guint start;

  contacts = xi_store_load_contact_keys_finish (XI_STORE (object), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      request->generation != self->generation)
    return;

  g_hash_table_remove (self->requested, GUINT_TO_POINTER (request->index));
  if (contacts == NULL)
    {
      g_warning ("Could not load contacts: %s", error->message);
      return;
    }

  /* A row keeps the object it was given, the contact shown before the
   * keys changed or a placeholder, brought up to date in place: its
   * widget, and the focus in it, survive the load (GTK 4.8 forgets the
   * focused row when its item is replaced). Rows given nothing are
   * announced. */
  start = request->index * PAGE_SIZE;
  for (guint i = 0; i < contacts->len; i++)
    {
      gint64 key = g_array_index (self->keys, gint64, start + i);
      XiContact *fresh = g_ptr_array_index (contacts, i);
      XiContact *known = g_hash_table_lookup (self->stale, &key);

      if (fresh != NULL && known != NULL &&
          (xi_contact_get_id (known) == NULL ||
           g_strcmp0 (xi_contact_get_id (known), xi_contact_get_id (fresh)) == 0))
        {
          xi_contact_update_from (known, fresh);
          g_ptr_array_index (contacts, i) = g_object_ref (known);
          g_object_unref (fresh);
        }
      else
        g_hash_table_remove (self->stale, &key);
    }
  store_page (self, request->index, g_ptr_array_ref (contacts));

  for (guint i = 0; i < contacts->len;)
    {
      gint64 key = g_array_index (self->keys, gint64, start + i);
      guint run = 0;

      if (g_hash_table_contains (self->stale, &key))
        {
          i++;
          continue;
        }
      while (i + run < contacts->len &&
             !g_hash_table_contains (self->stale, &g_array_index (self->keys, gint64, start + i + run)))
        run++;
      g_list_model_items_changed (G_LIST_MODEL (self), start + i, run, run);
      i += run;
    }
}

static void
request_page (XiContactList *self,
              guint          index)
{
  guint start = index * PAGE_SIZE;
  PageRequest *request;

  if (start >= self->keys->len ||
      g_hash_table_contains (self->pages, GUINT_TO_POINTER (index)) ||
      g_hash_table_contains (self->requested, GUINT_TO_POINTER (index)))
    return;

  g_hash_table_add (self->requested, GUINT_TO_POINTER (index));
  request = g_new0 (PageRequest, 1);
  g_weak_ref_init (&request->self, self);
  request->index = index;
  request->generation = self->generation;
  xi_store_load_contact_keys_async (self->store, &g_array_index (self->keys, gint64, start),
                                    MIN (PAGE_SIZE, self->keys->len - start), self->cancellable,
                                    page_loaded_cb, request);
}

/* Replaces the keys, announcing only the span that differs, and loads
 * again the pages that were shown, whose contacts may have changed. */
static void
set_keys (XiContactList *self,
          GArray        *keys)
{
  g_autoptr(GArray) old = g_steal_pointer (&self->keys);
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (guint));
  const gint64 *a = (const gint64 *)(gpointer)old->data;
  const gint64 *b = (const gint64 *)(gpointer)keys->data;
  guint prefix = 0;
  guint suffix = 0;
  guint removed;
  guint added;

  while (prefix < old->len && prefix < keys->len && a[prefix] == b[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < keys->len - prefix &&
         a[old->len - 1 - suffix] == b[keys->len - 1 - suffix])
    suffix++;

  /* What views hold: the loaded pages' contacts, and what was handed
   * out for pages still on their way (a second change can come before
   * the pages the first one asked for). */
  {
    g_autoptr(GHashTable) handed = g_steal_pointer (&self->stale);
    GHashTableIter iter;
    gpointer index;

    self->stale = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
    g_hash_table_iter_init (&iter, self->requested);
    while (g_hash_table_iter_next (&iter, &index, NULL))
      {
        guint pending = GPOINTER_TO_UINT (index);
        guint first = pending * PAGE_SIZE;

        g_array_append_val (shown, pending);
        for (guint i = first; i < MIN (first + PAGE_SIZE, old->len); i++)
          {
            XiContact *known = g_hash_table_lookup (handed, &a[i]);

            if (known != NULL)
              g_hash_table_insert (self->stale, g_memdup2 (&a[i], sizeof (gint64)), g_object_ref (known));
          }
      }
  }
  for (GList *l = self->lru.head; l != NULL; l = l->next)
    {
      Page *page = l->data;

      g_array_append_val (shown, page->index);
      for (guint i = 0; i < page->contacts->len; i++)
        if (g_ptr_array_index (page->contacts, i) != NULL)
          g_hash_table_insert (self->stale,
                               g_memdup2 (&a[page->index * PAGE_SIZE + i], sizeof (gint64)),
                               g_object_ref (g_ptr_array_index (page->contacts, i)));
    }
  /* And the rows a view still shows from pages the cache dropped since. */
  {
    GHashTableIter iter;
    gpointer key;
    gpointer ref;

    g_hash_table_iter_init (&iter, self->handed);
    while (g_hash_table_iter_next (&iter, &key, &ref))
      {
        XiContact *alive;

        if (g_hash_table_contains (self->stale, key) || (alive = g_weak_ref_get (ref)) == NULL)
          continue;
        g_hash_table_insert (self->stale, g_memdup2 (key, sizeof (gint64)), alive);
      }
  }
  drop_pages (self);
  self->generation++;
  removed = old->len - prefix - suffix;
  added = keys->len - prefix - suffix;

  /* GTK 4.8's list views look for a widget to reuse among the removed
   * rows by asking for every added item: a search cleared over 100,000
   * contacts would load them all. Rows removed first, in a list that
   * really is shorter, leave nothing to look for when they come. */
  if (removed > 0 && added > PAGE_SIZE)
    {
      g_autoptr(GArray) shorter = g_array_sized_new (FALSE, FALSE, sizeof (gint64), prefix + suffix);

      g_array_append_vals (shorter, a, prefix);
      g_array_append_vals (shorter, a + old->len - suffix, suffix);
      self->keys = g_steal_pointer (&shorter);
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, 0);
      g_array_unref (self->keys);
      removed = 0;
    }
  self->keys = g_array_ref (keys);

  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, added);

  for (guint i = 0; i < shown->len; i++)
    request_page (self, g_array_index (shown, guint, i));
  if (g_hash_table_size (self->stale) > 0)
    for (guint i = 0; i < keys->len; i++)
      if (g_hash_table_contains (self->stale, &g_array_index (keys, gint64, i)))
        request_page (self, i / PAGE_SIZE);
}

static void start_listing (XiContactList *self);

static void
keys_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GWeakRef) ref = user_data;
  g_autoptr(XiContactList) self = g_weak_ref_get (ref);
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = xi_store_list_contact_keys_finish (XI_STORE (object), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (keys == NULL)
    g_warning ("Could not list contacts: %s", error->message);
  else
    set_keys (self, keys);

  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      start_listing (self);
      return;
    }
  set_loading (self, FALSE);
}

static void
start_listing (XiContactList *self)
{
  g_clear_object (&self->keys_cancellable);
  self->keys_cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  xi_store_list_contact_keys_async (self->store, self->text, self->filter, self->keys_cancellable,
                                    keys_listed_cb, weak_ref_new (self));
}

/* Callbacks */

static void
store_changed_cb (XiStore            *store,
                  const char         *table,
                  const char * const *ids,
                  XiContactList      *self)
{
  /* Memberships decide who a group condition lets through. */
  if (g_str_equal (table, "contacts") || g_str_equal (table, "group_members"))
    xi_contact_list_refresh (self);
}

/* GListModel */

static GType
xi_contact_list_get_item_type (GListModel *model)
{
  return XI_TYPE_CONTACT;
}

static guint
xi_contact_list_get_n_items (GListModel *model)
{
  return XI_CONTACT_LIST (model)->keys->len;
}

static gpointer
xi_contact_list_get_item (GListModel *model,
                          guint       position)
{
  XiContactList *self = XI_CONTACT_LIST (model);
  guint index = position / PAGE_SIZE;
  guint offset = position % PAGE_SIZE;
  gint64 key;
  Page *page;
  XiContact *known;

  if (position >= self->keys->len)
    return NULL;

  if ((page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index))) != NULL)
    {
      XiContact *contact = g_ptr_array_index (page->contacts, offset);

      g_queue_unlink (&self->lru, &page->link);
      g_queue_push_head_link (&self->lru, &page->link);
      if (contact == NULL)
        return xi_contact_new ();
      remember_handed (self, g_array_index (self->keys, gint64, position), contact);
      return g_object_ref (contact);
    }

  /* A view asks for its rows in order: the page it scrolls towards is
   * loaded before it gets there. */
  request_page (self, index);
  if (offset >= PAGE_SIZE * 3 / 4)
    request_page (self, index + 1);
  else if (offset < PAGE_SIZE / 4 && index > 0)
    request_page (self, index - 1);

  key = g_array_index (self->keys, gint64, position);
  known = g_hash_table_lookup (self->stale, &key);
  if (known == NULL)
    {
      /* The page fills this very object when it arrives. */
      known = xi_contact_new ();
      g_hash_table_insert (self->stale, g_memdup2 (&key, sizeof (gint64)), known);
    }
  remember_handed (self, key, known);
  return g_object_ref (known);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = xi_contact_list_get_item_type;
  iface->get_n_items = xi_contact_list_get_n_items;
  iface->get_item = xi_contact_list_get_item;
}

/* GObject */

static void
xi_contact_list_dispose (GObject *object)
{
  XiContactList *self = XI_CONTACT_LIST (object);

  g_cancellable_cancel (self->cancellable);
  if (self->keys_cancellable != NULL)
    g_cancellable_cancel (self->keys_cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  drop_pages (self);
  g_hash_table_remove_all (self->stale);

  G_OBJECT_CLASS (xi_contact_list_parent_class)->dispose (object);
}

static void
xi_contact_list_finalize (GObject *object)
{
  XiContactList *self = XI_CONTACT_LIST (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->keys_cancellable);
  g_clear_pointer (&self->filter, xi_contact_filter_unref);
  g_clear_pointer (&self->keys, g_array_unref);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->requested, g_hash_table_unref);
  g_clear_pointer (&self->stale, g_hash_table_unref);
  g_clear_pointer (&self->handed, g_hash_table_unref);
  g_free (self->text);

  G_OBJECT_CLASS (xi_contact_list_parent_class)->finalize (object);
}

static void
xi_contact_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XiContactList *self = XI_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_contact_list_class_init (XiContactListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_contact_list_dispose;
  object_class->finalize = xi_contact_list_finalize;
  object_class->get_property = xi_contact_list_get_property;

  /* Whether the store is still answering which contacts the list holds;
   * the items then are those of the last answer. */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_contact_list_init (XiContactList *self)
{
  self->keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)page_free);
  self->requested = g_hash_table_new (NULL, NULL);
  self->stale = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->handed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)weak_ref_free);
  self->handed_limit = MAX_PAGES * PAGE_SIZE * 2;
  self->cancellable = g_cancellable_new ();
  self->owner = g_thread_self ();
}

/* Public API */

/**
 * xi_contact_list_new:
 * @store: the opened store
 *
 * The list starts empty; xi_contact_list_refresh() or
 * xi_contact_list_set_query() fills it. It follows XiStore::changed.
 *
 * Returns: (transfer full): a new #XiContactList
 */
XiContactList *
xi_contact_list_new (XiStore *store)
{
  XiContactList *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);

  self = g_object_new (XI_TYPE_CONTACT_LIST, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self, 0);
  return self;
}

/**
 * xi_contact_list_set_query:
 * @self: a #XiContactList
 * @text: (nullable): search text, as xi_contact_matches() takes it
 * @filter: (nullable): conditions; the list keeps a reference, and the
 *   store resolves it on every listing, so it must not be used elsewhere
 *
 * Lists the contacts that match both, in list order. A listing under way
 * for the previous query is abandoned.
 */
void
xi_contact_list_set_query (XiContactList   *self,
                           const char      *text,
                           XiContactFilter *filter)
{
  g_return_if_fail (XI_IS_CONTACT_LIST (self));
  g_assert (self->owner == g_thread_self ());

  self->nobody = FALSE;
  g_free (self->text);
  self->text = text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
  g_clear_pointer (&self->filter, xi_contact_filter_unref);
  self->filter = filter != NULL ? xi_contact_filter_ref (filter) : NULL;

  if (self->keys_cancellable != NULL)
    g_cancellable_cancel (self->keys_cancellable);
  self->refresh_again = FALSE;
  start_listing (self);
}

/**
 * xi_contact_list_refresh:
 * @self: a #XiContactList
 *
 * Asks the store again which contacts the list holds and reloads the
 * pages shown. One listing runs at a time; refreshes asked for meanwhile
 * make one more after it.
 */
void
xi_contact_list_refresh (XiContactList *self)
{
  g_return_if_fail (XI_IS_CONTACT_LIST (self));
  g_assert (self->owner == g_thread_self ());

  if (self->nobody)
    return;
  if (self->loading)
    self->refresh_again = TRUE;
  else
    start_listing (self);
}

/**
 * xi_contact_list_clear:
 * @self: a #XiContactList
 *
 * Empties the list without asking the store, for a view that has nobody
 * to show (a group not chosen yet): a query that matches nobody would
 * still read every contact to say so. The list stays empty, whatever
 * the store announces, until xi_contact_list_set_query().
 */
void
xi_contact_list_clear (XiContactList *self)
{
  g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_if_fail (XI_IS_CONTACT_LIST (self));
  g_assert (self->owner == g_thread_self ());

  if (self->keys_cancellable != NULL)
    g_cancellable_cancel (self->keys_cancellable);
  self->refresh_again = FALSE;
  self->nobody = TRUE;
  set_keys (self, none);
  set_loading (self, FALSE);
}

gboolean
xi_contact_list_get_loading (XiContactList *self)
{
  g_return_val_if_fail (XI_IS_CONTACT_LIST (self), FALSE);
  return self->loading;
}

/**
 * xi_contact_list_get_key:
 * @self: a #XiContactList
 * @position: a position in the list
 *
 * The row key at @position, for acting on a selection without loading
 * its contacts; keys are valid until the list changes.
 *
 * Returns: the key, or 0 past the end
 */
gint64
xi_contact_list_get_key (XiContactList *self,
                         guint          position)
{
  g_return_val_if_fail (XI_IS_CONTACT_LIST (self), 0);
  return position < self->keys->len ? g_array_index (self->keys, gint64, position) : 0;
}

/**
 * xi_contact_list_get_n_cached:
 * @self: a #XiContactList
 *
 * Returns: how many positions have their contact loaded
 */
guint
xi_contact_list_get_n_cached (XiContactList *self)
{
  guint n = 0;

  g_return_val_if_fail (XI_IS_CONTACT_LIST (self), 0);

  for (GList *l = self->lru.head; l != NULL; l = l->next)
    n += ((Page *)l->data)->contacts->len;
  return n;
}
