"""Pages of the incidents app (thin: parse the request, call a service or selector, render)."""
