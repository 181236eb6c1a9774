from bot.cli import main
from bot.memory import limit_malloc_arenas

limit_malloc_arenas()  # before any thread starts
raise SystemExit(main())
