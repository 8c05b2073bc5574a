"""Plain functions that change state; views call them and the request commits."""
