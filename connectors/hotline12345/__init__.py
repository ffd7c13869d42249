"""12345 hotline work orders: the REST client (pull and feedback) and a runnable simulator."""
