"""SMS: the HTTP connector and a runnable simulator of an SMS gateway."""
