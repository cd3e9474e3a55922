from lederuddannelse.book.processes import exit_at_once
from lederuddannelse.cli import main

# A command's work is complete when main returns (see exit_at_once): the interpreter's
# clean-up would only add to the time a user waits.
exit_at_once(main())
