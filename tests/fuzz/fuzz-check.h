/* SPDX-License-Identifier: Apache-2.0 */
/* CHECK() for the fuzz targets: a property that does not hold aborts, so
 * libFuzzer keeps the input as a crash and prints its stack. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                                           \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        {                                                                                          \
          fprintf (stderr, "fuzz: check failed: %s: ", #cond);                                     \
          fprintf (stderr, __VA_ARGS__);                                                           \
          fputc ('\n', stderr);                                                                    \
          abort ();                                                                                \
        }                                                                                          \
    }                                                                                              \
  while (0)
