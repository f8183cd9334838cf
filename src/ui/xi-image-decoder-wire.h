/* xi-image-decoder-wire.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/*
 * What xender-in-image-decoder writes on its standard output, and what
 * the app checks before it believes a byte of it: the magic, then width,
 * height, stride and format as 32-bit little-endian numbers, then exactly
 * height × stride bytes of rows packed without padding.
 */

#define XI_IMAGE_DECODER_MAGIC       "XIMG"
#define XI_IMAGE_DECODER_HEADER_SIZE 20

typedef enum
{
  XI_IMAGE_DECODER_FORMAT_RGB  = 0,
  XI_IMAGE_DECODER_FORMAT_RGBA = 1,
} XiImageDecoderFormat;
