"""The scrap intake ledgers of recycled-metal casthouses and the recycled-metal shares computed from them."""
