/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_API_H
#define INCLUDED_SENTINEL_API_H

#include <gnuradio/attributes.h>

#ifdef gnuradio_sentinel_EXPORTS
#define SENTINEL_API __GR_ATTR_EXPORT
#else
#define SENTINEL_API __GR_ATTR_IMPORT
#endif

#endif /* INCLUDED_SENTINEL_API_H */
