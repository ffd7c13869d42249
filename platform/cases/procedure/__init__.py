"""The general procedure (一般程序) and the simple one: the rules of which action a stage allows, and the actions that move a case through them."""
