"""The green-power register: green certificates (绿证), direct green-power contracts (绿电交易) and on-site
renewable generation of a facility, each with its versions and its volume per month."""
