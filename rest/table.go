package rest

// table assembles the route table: the public pages, the resources this
// build implements, and the reference's remaining endpoints (501 until their
// issue lands), plus GraphQL.
func (a *API) table() []Route {
	parts := [][]Route{
		a.publicRoutes(),
		a.tenantRoutes(),
		a.keyRoutes(),
		a.graphQLRoutes(),
		a.accountingRoutes(),
		aiRoutes(),
		aiprovidersRoutes(),
		analyticsRoutes(),
		a.associationsRoutes(),
		a.auditRoutes(),
		a.authconfigRoutes(),
		a.authenticationRoutes(),
		automationsRoutes(),
		billingRoutes(),
		brandingRoutes(),
		a.commentsRoutes(),
		dashboardsRoutes(),
		a.dataioRoutes(),
		dlqRoutes(),
		emailRoutes(),
		eventsRoutes(),
		filesRoutes(),
		formsRoutes(),
		functionsRoutes(),
		a.governanceRoutes(),
		integrationsRoutes(),
		a.mfaRoutes(),
		notificationsRoutes(),
		a.objectsRoutes(),
		a.versionsRoutes(),
		a.objecttypesRoutes(),
		a.passkeysRoutes(),
		a.policiesRoutes(),
		a.portalRoutes(),
		realtimeRoutes(),
		reportsRoutes(),
		a.rolesRoutes(),
		a.samlRoutes(),
		savedreportsRoutes(),
		scheduledjobsRoutes(),
		a.sessionsRoutes(),
		shorturlsRoutes(),
		sqlRoutes(),
		a.usersRoutes(),
		a.viewsRoutes(),
		webhooksRoutes(),
		workflowsRoutes(),
	}
	var out []Route
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
