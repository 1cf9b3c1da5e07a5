/* SPDX-License-Identifier: Apache-2.0 */
/* podunit-generator: placeholder until the generator lands. */
#include <stdio.h>

int
main (void)
{
  fprintf (stderr, "podunit-generator: not implemented yet\n");
  return 1;
}
