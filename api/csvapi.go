package api

func (s *Server) csvRoutes() {}
