/* xi-sqlite-memory.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sqlite-memory"

#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "xi-sqlite-memory.h"

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define HAVE_VALGRIND_H 1
# endif
#endif

#if defined(__SANITIZE_ADDRESS__)
# define ADDRESS_SANITIZER 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define ADDRESS_SANITIZER 1
# endif
#endif

/*
 * SQLite's memory, in front of the C library's. Debian builds SQLite
 * without lookaside (SQLITE_OMIT_LOOKASIDE: sqlite3_db_config() accepts
 * SQLITE_DBCONFIG_LOOKASIDE and ignores it), so every statement step
 * asks malloc() and free() for its small buffers: about 190 pairs for
 * each message a campaign sends, in bursts that overflow glibc's
 * per-thread cache and reach its slower bins, a tenth of the store
 * thread's instructions.
 *
 * Blocks of up to LARGEST_CLASS bytes are rounded up to one of a few
 * sizes, and a freed one waits on its size's free list for the next
 * request of that size. Each thread has its own lists, so none takes a
 * lock: the store thread allocates almost all, the window's reads on
 * their own connection the rest, and a block freed on another thread
 * than its own joins that thread's lists. What waits is bounded
 * (XI_SQLITE_MEMORY_MAX_CACHED bytes a thread); past it, and for larger
 * blocks, free() takes it back, and so it takes all that waits when the
 * thread ends. sqlite3_shutdown() empties only the calling thread's
 * lists; other threads' wait until those threads end.
 *
 * A block on a free list is still allocated as valgrind and
 * AddressSanitizer see it, so a write after sqlite3_free() would go
 * unreported, a double free would hand one block to two callers, and an
 * overrun into a size class's rounding would look legal. Under either
 * tool nothing waits and nothing is rounded past 8 bytes: every block
 * goes straight to malloc() and free().
 *
 * Each block starts with a header, 8 bytes as SQLite's own allocator
 * does (SQLite asks for 8-byte alignment), saying its size class and
 * usable size, which sqlite3_msize() and SQLite's xRoundup contract need.
 */

#define LARGEST_CLASS 4096
#define CLASS_STEP    16
#define NOT_CACHED    G_MAXUINT32

typedef union
{
  struct
  {
    guint32 size_class;  /* NOT_CACHED for a block past LARGEST_CLASS */
    guint32 usable;
  };
  sqlite3_int64 alignment;
} BlockHeader;

typedef struct FreeBlock FreeBlock;
struct FreeBlock
{
  FreeBlock *next;
};

/* About four sizes per doubling, so a block wastes at most a quarter. */
static const guint32 class_sizes[] = {
  16, 32, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768,
  1024, 1280, 1536, 2048, 2560, 3072, LARGEST_CLASS,
};

#define N_CLASSES G_N_ELEMENTS (class_sizes)

/* The class of each request, in CLASS_STEP steps up to LARGEST_CLASS. */
static guint8 class_of_steps[LARGEST_CLASS / CLASS_STEP + 1];

typedef struct
{
  FreeBlock *free_lists[N_CLASSES];
  gsize      cached_bytes;
  gboolean   registered;  /* with thread_end, to be emptied at the end */
} ThreadCache;

static void empty_cache (gpointer data);

static _Thread_local ThreadCache cache;
static gboolean keep_freed;
static GPrivate thread_end = G_PRIVATE_INIT (empty_cache);

static guint
class_of (int size)
{
  return class_of_steps[(size + CLASS_STEP - 1) / CLASS_STEP];
}

static void *
block_payload (BlockHeader *header)
{
  return header + 1;
}

static BlockHeader *
block_header (void *payload)
{
  return (BlockHeader *) payload - 1;
}

static void *
new_block (guint32 size_class,
           guint32 usable)
{
  BlockHeader *header = malloc (sizeof *header + usable);

  if (header == NULL)
    return NULL;
  header->size_class = size_class;
  header->usable = usable;
  return block_payload (header);
}

static void *
memory_malloc (int size)
{
  FreeBlock *block;
  guint size_class;

  if (size <= 0)
    return NULL;
  if (!keep_freed)
    return new_block (NOT_CACHED, (guint32) size);
  if (size > LARGEST_CLASS)
    return new_block (NOT_CACHED, (guint32) (size + 7) / 8 * 8);

  size_class = class_of (size);
  block = cache.free_lists[size_class];
  if (block != NULL)
    {
      cache.free_lists[size_class] = block->next;
      cache.cached_bytes -= class_sizes[size_class];
      return block;
    }
  return new_block (size_class, class_sizes[size_class]);
}

static void
memory_free (void *payload)
{
  BlockHeader *header;
  guint size_class;

  if (payload == NULL)
    return;
  header = block_header (payload);
  size_class = header->size_class;
  if (size_class != NOT_CACHED &&
      cache.cached_bytes + class_sizes[size_class] <= XI_SQLITE_MEMORY_MAX_CACHED)
    {
      FreeBlock *block = payload;

      if (!cache.registered)
        {
          g_private_set (&thread_end, &cache);
          cache.registered = TRUE;
        }
      block->next = cache.free_lists[size_class];
      cache.free_lists[size_class] = block;
      cache.cached_bytes += class_sizes[size_class];
      return;
    }
  free (header);
}

static int
memory_size (void *payload)
{
  return payload != NULL ? (int) block_header (payload)->usable : 0;
}

static void *
memory_realloc (void *payload,
                int   size)
{
  int usable = memory_size (payload);
  void *moved;

  if (size <= usable)
    return payload;
  if (usable > LARGEST_CLASS || !keep_freed)
    {
      /* Lets the C library grow it in place. */
      guint32 rounded = keep_freed ? (guint32) (size + 7) / 8 * 8 : (guint32) size;
      BlockHeader *header = realloc (block_header (payload), sizeof *header + rounded);

      if (header == NULL)
        return NULL;
      header->usable = rounded;
      return block_payload (header);
    }
  moved = memory_malloc (size);
  if (moved == NULL)
    return NULL;
  memcpy (moved, payload, usable);
  memory_free (payload);
  return moved;
}

static int
memory_roundup (int size)
{
  if (!keep_freed)
    return size;
  if (size > LARGEST_CLASS)
    return (size + 7) / 8 * 8;
  return (int) class_sizes[class_of (MAX (size, 1))];
}

static int
memory_init (void *data)
{
  return SQLITE_OK;
}

/* Also runs as the thread ends, before its thread-local storage goes. */
static void
empty_cache (gpointer data)
{
  ThreadCache *thread_cache = data;

  for (guint i = 0; i < N_CLASSES; i++)
    {
      while (thread_cache->free_lists[i] != NULL)
        {
          FreeBlock *block = thread_cache->free_lists[i];

          thread_cache->free_lists[i] = block->next;
          free (block_header (block));
        }
    }
  thread_cache->cached_bytes = 0;
  thread_cache->registered = FALSE;
}

static void
memory_shutdown (void *data)
{
  empty_cache (&cache);
}

static gboolean
install (void)
{
  static const sqlite3_mem_methods methods = {
    .xMalloc = memory_malloc,
    .xFree = memory_free,
    .xRealloc = memory_realloc,
    .xSize = memory_size,
    .xRoundup = memory_roundup,
    .xInit = memory_init,
    .xShutdown = memory_shutdown,
  };
  guint size_class = 0;

#if defined(ADDRESS_SANITIZER)
  keep_freed = FALSE;
#elif defined(HAVE_VALGRIND_H)
  keep_freed = !RUNNING_ON_VALGRIND;
#else
  keep_freed = TRUE;
#endif

  for (guint step = 0; step < G_N_ELEMENTS (class_of_steps); step++)
    {
      while (class_sizes[size_class] < step * CLASS_STEP)
        size_class++;
      class_of_steps[step] = size_class;
    }

  /* Memory statistics take a global mutex on every allocation; nothing
   * here reads them. */
  if (sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK ||
      sqlite3_config (SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK)
    {
      g_debug ("SQLite was initialised before the store could give it its memory");
      return FALSE;
    }
  return TRUE;
}

/**
 * xi_sqlite_memory_install:
 *
 * Gives SQLite the allocator above, once per process. It must run before
 * anything in the process opens a database or otherwise initialises
 * SQLite; later, SQLite keeps the C library's allocator, which works the
 * same, only slower.
 *
 * Returns: whether SQLite allocates through it
 */
gboolean
xi_sqlite_memory_install (void)
{
  static gsize installed;

  if (g_once_init_enter (&installed))
    g_once_init_leave (&installed, install () ? 1 : 2);
  return installed == 1;
}

/**
 * xi_sqlite_memory_keeps_freed:
 *
 * Returns: whether freed blocks wait for reuse, which they do not under
 *   valgrind or AddressSanitizer
 */
gboolean
xi_sqlite_memory_keeps_freed (void)
{
  return keep_freed;
}

/**
 * xi_sqlite_memory_cached_bytes:
 *
 * Returns: the bytes of freed blocks the calling thread keeps for reuse
 */
gsize
xi_sqlite_memory_cached_bytes (void)
{
  return cache.cached_bytes;
}
