/* fuzz-phone.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for phone number normalisation. The input is the
 * default country code on the first line and the number as typed after
 * it (no newline: the whole input is the number, default +62), the form
 * of the files in corpus-phone/, which test-phone also reads.
 *
 * A finding is a sanitizer report or a broken property of
 * xi-phone-properties.c: a stored number that a campaign would skip, or
 * that normalises to something else when read again. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xi-phone-properties.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *broken = xi_phone_check_corpus_file ((const char *)data, size);

  if (broken != NULL)
    {
      fprintf (stderr, "phone property broken: %s\n", broken);
      abort ();
    }
  return 0;
}
